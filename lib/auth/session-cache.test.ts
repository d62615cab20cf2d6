// The session cache's own rules: fresh entries only, never past the session's expiry, gone
// at once when forgotten, not re-filled by a read that raced a sign-out, and bounded.
import { beforeEach, describe, expect, it } from "vitest";
import { dropSingleton } from "@/lib/singleton";
import { forgetSession, forgetUserSessions, generation, recall, remember, touched } from "./session-cache";

const T0 = Date.parse("2030-01-01T00:00:00Z");
const user = (id: string, sessionId: string) => ({ id, email: `${id}@example.com`, isAdmin: false, sessionId });
const session = (userId: string, sessionId: string, expiresAt = new Date(T0 + 86_400_000)) => ({
  user: user(userId, sessionId),
  expiresAt,
  lastSeenAt: new Date(T0),
});

beforeEach(() => {
  dropSingleton("session-cache");
});

describe("session cache (SESSION_CACHE_SECONDS = 5, the default)", () => {
  it("answers a remembered session until its time is up, then asks again", () => {
    remember("s1", session("u1", "s1"), generation(), T0);
    expect(recall("s1", T0 + 4_999)?.user.id).toBe("u1");
    expect(recall("s1", T0 + 5_000)).toBeUndefined();
    expect(recall("s1", T0 + 1)).toBeUndefined(); // the stale entry was dropped
  });

  it("never answers for a session past its own expiry", () => {
    remember("s1", session("u1", "s1", new Date(T0 + 1_000)), generation(), T0);
    expect(recall("s1", T0 + 999)).toBeDefined();
    expect(recall("s1", T0 + 1_000)).toBeUndefined();
  });

  it("forgets one session, or every session of a user, at once", () => {
    remember("a1", session("a", "a1"), generation(), T0);
    remember("a2", session("a", "a2"), generation(), T0);
    remember("b1", session("b", "b1"), generation(), T0);
    forgetSession("a1");
    expect(recall("a1", T0)).toBeUndefined();
    expect(recall("a2", T0)).toBeDefined();
    forgetUserSessions("a");
    expect(recall("a2", T0)).toBeUndefined();
    expect(recall("b1", T0)?.user.id).toBe("b");
  });

  it("does not remember a row read before a sign-out that finished first", () => {
    const readSince = generation(); // a request starts reading the session…
    forgetSession("s1"); // …a sign-out deletes it meanwhile…
    remember("s1", session("u1", "s1"), readSince, T0); // …and the stale answer arrives
    expect(recall("s1", T0)).toBeUndefined();
  });

  it("records the last-active write on the entry", () => {
    remember("s1", session("u1", "s1"), generation(), T0);
    touched("s1", new Date(T0 + 10));
    expect(recall("s1", T0 + 20)?.lastSeenAt.getTime()).toBe(T0 + 10);
  });

  it("holds at most 10,000 sessions, dropping the oldest", () => {
    for (let i = 0; i <= 10_000; i++) remember(`s${i}`, session("u", `s${i}`), generation(), T0);
    expect(recall("s0", T0)).toBeUndefined();
    expect(recall("s1", T0)).toBeDefined();
    expect(recall("s10000", T0)).toBeDefined();
  });
});
