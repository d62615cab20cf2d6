// Rate limits against real Redis and the real route handlers: sign-in per address and per
// account, sign-up per address, uploads per user; 429 with Retry-After and a sentence a
// person can act on; counters shared by every web process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/signin/route";
import { POST as signUpRoute } from "@/app/api/auth/signup/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { db } from "@/lib/db";
import { closeQueues } from "@/lib/jobs";
import { makeJpeg } from "@/test/test-images";
import { createRedis } from "@/lib/redis";
import { call, photoForm } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { closeRateLimiter, RateLimiter } from "./rate-limit";

let iso: IsolatedEnv;
const PASSWORD = "a long enough password";

beforeAll(async () => {
  iso = await isolate({
    TRUST_PROXY: "1",
    RATE_LIMIT_SIGNIN_IP: "8/1m",
    RATE_LIMIT_SIGNIN_ACCOUNT: "3/1m",
    RATE_LIMIT_SIGNUP_IP: "3/1m",
    RATE_LIMIT_UPLOAD_USER: "2/1m",
  });
});

afterAll(async () => {
  await Promise.all([closeQueues(), closeRateLimiter()]);
  await db().$disconnect();
  await iso?.teardown();
});

const signIn = (email: string, password: string, ip: string) =>
  call(signInRoute, {
    path: "/api/auth/signin",
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({ email, password }),
  });

const signUpFrom = (email: string, ip: string) =>
  call(signUpRoute, {
    path: "/api/auth/signup",
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({ email, password: PASSWORD }),
  });

let nextAddress = 1;
/** A new account, signed up from an address of its own so the sign-up limit stays out of the way. */
async function account(email: string): Promise<string> {
  const res = await signUpFrom(email, `192.0.2.${nextAddress++}`);
  expect(res.status).toBe(201);
  return res.headers.get("set-cookie")!.split(";")[0];
}

async function expect429(res: Response, message: RegExp) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  const body = await res.json();
  expect(body.error.code).toBe("rate_limited");
  expect(body.error.message).toMatch(message);
  expect(body.error.message).toMatch(/Try again in (\d+ seconds|1 minute)\./);
}

describe("rate limits", () => {
  it("locks an account after repeated wrong passwords, even for the right one, and only that account", async () => {
    await account("victim@example.com");
    await account("neighbour@example.com");
    const ips = ["198.51.100.1", "198.51.100.2", "198.51.100.3"]; // spread out: per-account, not per-address
    for (const ip of ips) expect((await signIn("victim@example.com", "wrong password", ip)).status).toBe(401);
    await expect429(await signIn("victim@example.com", "wrong password", "198.51.100.4"), /Too many failed sign-ins for this account/);
    await expect429(await signIn("victim@example.com", PASSWORD, "198.51.100.5"), /locked for a while/);
    expect((await signIn("neighbour@example.com", PASSWORD, "198.51.100.6")).status).toBe(200);
  });

  it("forgets an account's failures once the right password arrives", async () => {
    await account("forgetful@example.com");
    const ip = "198.51.100.20";
    for (let round = 0; round < 2; round++) {
      expect((await signIn("forgetful@example.com", "wrong password", ip)).status).toBe(401);
      expect((await signIn("forgetful@example.com", "wrong password", ip)).status).toBe(401);
      expect((await signIn("forgetful@example.com", PASSWORD, ip)).status).toBe(200);
    }
  });

  it("limits sign-in attempts per client address, taken from the address our proxy saw", async () => {
    const ip = "203.0.113.50";
    for (let i = 0; i < 8; i++) {
      // Different made-up accounts, and a different forged left-most address each time:
      // neither the account nor the forged part decides the bucket.
      expect((await signIn(`nobody${i}@example.com`, "wrong password", `10.9.9.${i}, ${ip}`)).status).toBe(401);
    }
    await expect429(await signIn("nobody9@example.com", "wrong password", `10.9.9.99, ${ip}`), /Too many sign-in attempts from your network/);
    expect((await signIn("nobody9@example.com", "wrong password", "203.0.113.51")).status).toBe(401);
  });

  it("limits new accounts per client address", async () => {
    const ip = "203.0.113.77";
    for (let i = 0; i < 3; i++) expect((await signUpFrom(`new${i}@example.com`, ip)).status).toBe(201);
    await expect429(await signUpFrom("new3@example.com", ip), /Too many new accounts from your network/);
    expect(await db().user.count({ where: { email: "new3@example.com" } })).toBe(0);
    expect((await signUpFrom("new3@example.com", "203.0.113.78")).status).toBe(201);
  });

  it("limits uploads per user, without touching anyone else's", async () => {
    const [ann, ben] = [await account("ann@example.com"), await account("ben@example.com")];
    const bytes = await makeJpeg({ width: 40, height: 40, seed: 4 });
    const send = (cookie: string) => call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm([{ name: "p.jpg", bytes }]) });
    expect((await send(ann)).status).toBe(202);
    expect((await send(ann)).status).toBe(202);
    const before = await db().media.count();
    await expect429(await send(ann), /Too many uploads in a short time/);
    expect(await db().media.count()).toBe(before);
    expect((await send(ben)).status).toBe(202);
  });

  it("counts in Redis, so separate web processes share one limit", async () => {
    // Two limiters on their own connections stand in for two `next start` processes.
    const [a, b] = [new RateLimiter(createRedis("rate-limit"), iso.prefix), new RateLimiter(createRedis("rate-limit"), iso.prefix)];
    const rule = { limit: 5, windowMs: 60_000 };
    const counts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).hit("shared-test", "subject", rule)));
    expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await a.peek("shared-test", "subject")).count).toBe(10);
    expect((await b.peek("shared-test", "subject")).retryAfterMs).toBeGreaterThan(50_000);
    await b.reset("shared-test", "subject");
    expect((await a.peek("shared-test", "subject")).count).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });
});
