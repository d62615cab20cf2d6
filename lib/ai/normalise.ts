// Output rules every provider follows, so the UI and search see the same shape
// whoever wrote the description: one short caption and 1–12 lowercase, unique tags.

export const MAX_CAPTION_CHARS = 200;
export const MAX_TAGS = 12;
/** A "tag" longer than this is a sentence; it is dropped rather than shown as a chip. */
export const MAX_TAG_CHARS = 40;

/**
 * Trims, collapses whitespace and clips to MAX_CAPTION_CHARS. Clipping happens at a
 * word boundary with an ellipsis, because a caption cut mid-word reads like a bug.
 */
export function clipCaption(text: string): string {
  const clean = text.replace(/\s+/g, " ").trim();
  if (clean.length <= MAX_CAPTION_CHARS) return clean;
  const room = clean.slice(0, MAX_CAPTION_CHARS - 1);
  const lastSpace = room.lastIndexOf(" ");
  // Only back up to a space if that does not throw away most of the caption.
  const cut = lastSpace > MAX_CAPTION_CHARS / 2 ? room.slice(0, lastSpace) : room;
  return `${cut.replace(/[\s,;:.—-]+$/, "")}…`;
}

/**
 * Lowercases, trims, collapses inner whitespace, drops empties and duplicates (first
 * occurrence wins, so the order providers choose is kept), drops over-long ones and
 * keeps at most MAX_TAGS.
 */
export function normaliseTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const raw of tags) {
    const tag = raw.replace(/\s+/g, " ").trim().toLowerCase();
    if (tag && tag.length <= MAX_TAG_CHARS) seen.add(tag);
    if (seen.size === MAX_TAGS) break;
  }
  return [...seen];
}
