// Which streams follow which ids (components/use-live.ts). A stream carries at most the kind's
// `maxIds`, so many ids (500 photos dropped at once) are cut into groups, in the order the ids
// first came: a new id joins the last group, so only that group's stream reopens — never the
// streams of ids already followed. Pure functions, so the rule is tested without a browser.

/**
 * The ids to carry after `ids` became the ones followed: `carried` itself when nothing is
 * new (the streams stay as they are), [] when nothing is followed, else `carried` plus the new
 * ids — after dropping leading whole groups none of whose ids is followed any more (their
 * streams have ended by themselves: the server closes a stream once all its ids are final).
 */
export function nextCarried(carried: readonly string[], ids: readonly string[], size: number): readonly string[] {
  if (ids.length === 0) return carried.length === 0 ? carried : [];
  const known = new Set(carried);
  const added = [...new Set(ids.filter((id) => !known.has(id)))];
  if (added.length === 0) return carried;
  const following = new Set(ids);
  let start = 0;
  while (carried.length - start >= size && !carried.slice(start, start + size).some((id) => following.has(id))) start += size;
  return [...carried.slice(start), ...added];
}

/** The carried ids cut into groups of `size`, each as a stream's `ids=` value. */
export function groupsOf(carried: readonly string[], size: number): string[] {
  const groups: string[] = [];
  for (let i = 0; i < carried.length; i += size) groups.push(carried.slice(i, i + size).join(","));
  return groups;
}
