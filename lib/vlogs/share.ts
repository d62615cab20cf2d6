// Public share links: a random 32-byte token (base64url) in the URL. Unguessable, so the
// link itself is the permission; revoking it (setting it to null) stops it at once.
import { randomBytes } from "node:crypto";

export function newShareToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What a token looks like; anything else is answered as not found without a lookup. */
export const SHARE_TOKEN = /^[A-Za-z0-9_-]{43}$/;
