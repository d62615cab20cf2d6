// A short-lived, per-process memory of sessions already checked, so a burst of requests
// from one browser (a page's status polls, its thumbnails) costs one session query rather
// than one each. Entries are keyed by the session id (the token's sha256, never the token).
//
// Revocation: every path that deletes sessions in this process (sign-out, sign-in and
// sign-up rotating the cookie, sign-out everywhere, account deletion) forgets the entries
// here at once, so in one web process sign-out takes effect on the very next request. A
// session deleted by another process (a second web process, SQL by hand) stays usable
// here for at most SESSION_CACHE_SECONDS; 0 turns the cache off. Callers forget before
// and after their DELETE: before, so no request trusts the entry while it runs; after, for
// a request that read the row while the DELETE was in flight (see `generation`).
//
// One instance per process (lib/singleton): Next loads this module once per route bundle,
// and the sign-out route must clear the same memory the media routes read.
import { env } from "@/lib/env";
import { singleton } from "@/lib/singleton";
import type { SessionUser } from "./session";

export interface CachedSession {
  user: SessionUser;
  expiresAt: Date;
  lastSeenAt: Date;
  /** When this entry stops being trusted (ms since the epoch). */
  freshUntil: number;
}

/** Bounds memory under many browsers (or junk cookies never get here: misses are not cached). */
const MAX_ENTRIES = 10_000;

interface State {
  entries: Map<string, CachedSession>;
  /**
   * Bumped by every forget. A reader notes it before its query and remembers the answer only
   * if it has not moved, so a row read just before a sign-out's DELETE is not cached after it.
   */
  generation: number;
}

const state = () => singleton<State>("session-cache", () => ({ entries: new Map(), generation: 0 }));
const entries = () => state().entries;

/** To pass to `remember`: taken before the session is read from the database. */
export function generation(): number {
  return state().generation;
}

const ttlMs = () => env().SESSION_CACHE_SECONDS * 1000;

/** The remembered session, if it is still fresh and not expired; stale entries are dropped. */
export function recall(sessionId: string, now = Date.now()): CachedSession | undefined {
  const map = entries();
  const hit = map.get(sessionId);
  if (!hit) return undefined;
  if (hit.freshUntil <= now || hit.expiresAt.getTime() <= now) {
    map.delete(sessionId);
    return undefined;
  }
  return hit;
}

/**
 * Remembers a session just read from the database, unless a session was forgotten since
 * `readSince` (taken with `generation()` before the read); a no-op when the cache is off.
 */
export function remember(sessionId: string, session: Omit<CachedSession, "freshUntil">, readSince: number, now = Date.now()): void {
  const ttl = ttlMs();
  if (ttl <= 0 || readSince !== state().generation) return;
  const map = entries();
  map.delete(sessionId); // re-inserted last: the Map's order is the eviction order
  map.set(sessionId, { ...session, freshUntil: now + ttl });
  if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value!);
}

/** Records that this session's "last active" was just written, so it is not written again. */
export function touched(sessionId: string, at: Date): void {
  const hit = entries().get(sessionId);
  if (hit) hit.lastSeenAt = at;
}

/** Forgets one session (it was deleted). */
export function forgetSession(sessionId: string): void {
  state().generation += 1;
  entries().delete(sessionId);
}

/** Forgets every session of this user (signed out everywhere, or the account is going). */
export function forgetUserSessions(userId: string): void {
  state().generation += 1;
  const map = entries();
  for (const [id, entry] of map) if (entry.user.id === userId) map.delete(id);
}
