// The session cache (lib/auth/session-cache.ts) against real Postgres and the real routes:
// a session already checked is remembered for SESSION_CACHE_SECONDS (5 here, the default),
// and every way of ending a session in this process still ends it on the very next request.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DELETE as deleteAccount } from "@/app/api/account/route";
import { DELETE as signOutEverywhere } from "@/app/api/account/sessions/route";
import { POST as signOut } from "@/app/api/auth/signout/route";
import { GET as listMedia } from "@/app/api/v1/media/route";
import { db } from "@/lib/db";
import { closeQueues } from "@/lib/jobs";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { call, cookieOf, signIn, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";

let iso: IsolatedEnv;
const json = { "content-type": "application/json" };
const PASSWORD = "a long enough password";

beforeAll(async () => {
  iso = await isolate();
});

afterAll(async () => {
  await Promise.all([closeQueues(), closeRateLimiter()]);
  await db().$disconnect();
  await iso?.teardown();
});


const canList = async (cookie: string) => (await call(listMedia, { path: "/api/v1/media", cookie })).status;

describe("the session cache", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("forgets a remembered session at sign-out", async () => {
    const cookie = await signUp("cached-out@example.com", PASSWORD);
    expect(await canList(cookie)).toBe(200); // now remembered
    expect((await call(signOut, { path: "/api/auth/signout", method: "POST", cookie })).status).toBe(204);
    expect(await canList(cookie)).toBe(401);
  });

  it("forgets every remembered session of the account at sign-out-everywhere, and no one else's", async () => {
    const laptop = await signUp("cached-all@example.com", PASSWORD);
    const phone = cookieOf(await signIn("cached-all@example.com", PASSWORD));
    const other = await signUp("cached-other@example.com", PASSWORD);
    expect([await canList(laptop), await canList(phone), await canList(other)]).toEqual([200, 200, 200]);
    expect((await call(signOutEverywhere, { path: "/api/account/sessions", method: "DELETE", cookie: laptop })).status).toBe(204);
    expect([await canList(laptop), await canList(phone), await canList(other)]).toEqual([401, 401, 200]);
  });

  it("forgets the remembered session of a cookie replaced at sign-in", async () => {
    const first = await signUp("cached-rotate@example.com", PASSWORD);
    expect(await canList(first)).toBe(200);
    await signIn("cached-rotate@example.com", PASSWORD, first);
    expect(await canList(first)).toBe(401);
  });

  it("forgets every remembered session when the account is deleted", async () => {
    const cookie = await signUp("cached-gone@example.com", PASSWORD);
    const phone = cookieOf(await signIn("cached-gone@example.com", PASSWORD));
    expect([await canList(cookie), await canList(phone)]).toEqual([200, 200]);
    const res = await call(deleteAccount, { path: "/api/account", method: "DELETE", cookie, headers: json, body: JSON.stringify({ confirm: "delete my account" }) });
    expect(res.status).toBe(202);
    expect([await canList(cookie), await canList(phone)]).toEqual([401, 401]);
  });

  it("stops honouring a session ended by another process within SESSION_CACHE_SECONDS", async () => {
    const cookie = await signUp("cached-elsewhere@example.com", PASSWORD);
    expect(await canList(cookie)).toBe(200);
    const user = await db().user.findUniqueOrThrow({ where: { email: "cached-elsewhere@example.com" } });
    await db().session.deleteMany({ where: { userId: user.id } }); // as another web process would
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 5_000 });
    expect(await canList(cookie)).toBe(401);
  });
});
