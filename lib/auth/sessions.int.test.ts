// Sessions and CSRF against real Postgres: cookies are rotated on sign-in and sign-up,
// revoked on sign-out and everywhere at once, and a state-changing request from another
// site is refused before it does anything.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE as signOutEverywhere } from "@/app/api/account/sessions/route";
import { POST as signInRoute } from "@/app/api/auth/signin/route";
import { POST as signOut } from "@/app/api/auth/signout/route";
import { POST as signUpRoute } from "@/app/api/auth/signup/route";
import { GET as listMedia, POST as upload } from "@/app/api/v1/media/route";
import { db } from "@/lib/db";
import { closeQueues } from "@/lib/jobs";
import { makeJpeg } from "@/test/test-images";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { BASE, call, cookieOf, photoForm, signIn, signUp } from "@/test/http";
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

describe("sessions", () => {
  it("stores only a memory-hard hash of the password", async () => {
    await signUp("hash@example.com", PASSWORD);
    const user = await db().user.findUniqueOrThrow({ where: { email: "hash@example.com" } });
    expect(user.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(user.passwordHash).not.toContain(PASSWORD);
  });

  it("sets the session cookie httpOnly, SameSite=Lax, for the whole site, and stores only its hash", async () => {
    const res = await call(signUpRoute, { path: "/api/auth/signup", method: "POST", headers: json, body: JSON.stringify({ email: "cookie@example.com", password: PASSWORD }) });
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/^fc_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
    expect(setCookie).not.toMatch(/Secure/); // APP_URL is http here; see session.test.ts for https
    const token = cookieOf(res).split("=")[1];
    expect(await db().session.count({ where: { id: token } })).toBe(0);
  });

  it("gives a new session on sign-in and ends the one the browser had (no session fixation)", async () => {
    const first = await signUp("rotate@example.com", PASSWORD);
    const second = cookieOf(await signIn("rotate@example.com", PASSWORD, first));
    expect(second).not.toBe(first);
    expect(await canList(first)).toBe(401);
    expect(await canList(second)).toBe(200);

    // Signing up while holding someone's session ends that session too.
    const res = await call(signUpRoute, { path: "/api/auth/signup", method: "POST", cookie: second, headers: json, body: JSON.stringify({ email: "rotate2@example.com", password: PASSWORD }) });
    expect(res.status).toBe(201);
    expect(await canList(second)).toBe(401);
  });

  it("ends a session on sign-out, and every session of the account on sign-out-everywhere", async () => {
    const laptop = await signUp("everywhere@example.com", PASSWORD);
    const phone = cookieOf(await signIn("everywhere@example.com", PASSWORD));
    const tablet = cookieOf(await signIn("everywhere@example.com", PASSWORD));
    const other = await signUp("bystander@example.com", PASSWORD);

    const out = await call(signOut, { path: "/api/auth/signout", method: "POST", cookie: tablet });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^fc_session=; .*Max-Age=0/);
    expect(await canList(tablet)).toBe(401);
    expect(await canList(phone)).toBe(200);

    const all = await call(signOutEverywhere, { path: "/api/account/sessions", method: "DELETE", cookie: phone });
    expect(all.status).toBe(204);
    expect(all.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect([await canList(laptop), await canList(phone)]).toEqual([401, 401]);
    expect(await canList(other)).toBe(200); // someone else's sessions are untouched

    const again = await call(signOutEverywhere, { path: "/api/account/sessions", method: "DELETE", cookie: phone });
    expect(again.status).toBe(401);
  });
});

describe("cross-site request forgery", () => {
  it("refuses a state-changing request whose Origin is another site, before it does anything", async () => {
    const cookie = await signUp("csrf@example.com", PASSWORD);
    const before = await db().media.count();
    const form = photoForm([{ name: "x.jpg", bytes: await makeJpeg({ width: 32, height: 32, seed: 3 }) }]);
    const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: form, headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatchObject({ code: "bad_origin", message: expect.stringMatching(/did not come from a Framecast page/) });
    expect(await db().media.count()).toBe(before);

    const everywhere = await call(signOutEverywhere, { path: "/api/account/sessions", method: "DELETE", cookie, headers: { origin: "http://localhost:3000.evil.example" } });
    expect(everywhere.status).toBe(403);
    expect(await canList(cookie)).toBe(200);

    const login = await call(signInRoute, { path: "/api/auth/signin", method: "POST", headers: { ...json, origin: "null" }, body: JSON.stringify({ email: "csrf@example.com", password: PASSWORD }) });
    expect(login.status).toBe(403);
  });

  it("uses Sec-Fetch-Site when there is no Origin, and refuses a cookie request that has neither", async () => {
    const cookie = await signUp("fetchsite@example.com", PASSWORD);
    const post = (headers: Record<string, string>) => call(signOut, { path: "/api/auth/signout", method: "POST", cookie, headers });
    expect((await post({ origin: "", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post({ origin: "", "sec-fetch-site": "same-site" })).status).toBe(403);
    expect((await post({ origin: "" })).status).toBe(403);
    expect(await canList(cookie)).toBe(200);
    expect((await post({ origin: "", "sec-fetch-site": "same-origin" })).status).toBe(204);
    expect(await canList(cookie)).toBe(401);
  });

  it("lets same-origin pages and cookie-less scripts through, and reads nothing into safe methods", async () => {
    const cookie = await signUp("sameorigin@example.com", PASSWORD);
    expect((await call(signOut, { path: "/api/auth/signout", method: "POST", cookie, headers: { origin: BASE } })).status).toBe(204);
    // A script signing in has no cookie to abuse, so it needs no Origin.
    const script = await call(signInRoute, { path: "/api/auth/signin", method: "POST", headers: { ...json, origin: "" }, body: JSON.stringify({ email: "sameorigin@example.com", password: PASSWORD }) });
    expect(script.status).toBe(200);
    // GET changes nothing, so a cross-site GET is answered normally (and SameSite=Lax decides the cookie).
    expect((await call(listMedia, { path: "/api/v1/media", cookie: cookieOf(script), headers: { origin: "https://evil.example" } })).status).toBe(200);
  });
});
