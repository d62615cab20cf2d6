// A show's permanent identity in the Podcasting 2.0 namespace (`<podcast:guid>`): a UUIDv5
// of its feed URL, so apps and indexes can follow the show when its feed moves. Derive it
// once, when the show gets its first feed URL, and store it: the URL may change later
// (a rotated token, a new domain), the guid must not.
import { createHash } from "node:crypto";

/** The namespace UUID the Podcasting 2.0 spec fixes for podcast:guid. */
export const PODCAST_GUID_NAMESPACE = "ead4c236-bf58-58c6-a2c6-a6b28d128cb6";

/**
 * UUIDv5 of `feedUrl` with its scheme ("https://") and trailing slashes removed, as the
 * spec says: `https://podnews.net/rss` → `9b024349-ccf0-5f69-a609-6b82873eab3c`.
 */
export function podcastGuid(feedUrl: string): string {
  const name = feedUrl.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "");
  return uuidV5(name, PODCAST_GUID_NAMESPACE);
}

/** RFC 4122 name-based UUID (SHA-1), version 5. */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  if (ns.length !== 16) throw new Error(`Not a UUID: ${namespace}`);
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  hash[6] = (hash[6] & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
