// The jobs API's per-token rate limit against real Redis: a burst, then a refusal with
// Retry-After; RateLimit-* headers on every answer; one bucket per token, refilled over time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { closeQueues } from "@/lib/jobs";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { jobsClient, makeToken } from "@/test/jobs";
import { sleep } from "@/test/processes";
import { closeFlowProducer } from "./queue";

let iso: IsolatedEnv;

beforeAll(async () => {
  // 3 at once, then one every 2 seconds (30 a minute).
  iso = await isolate({ AI_PROVIDERS: "local", RATE_LIMIT_BURST_SIZE: "3", RATE_LIMIT_REQUESTS_PER_MINUTE: "30" });
});

afterAll(async () => {
  await Promise.all([closeQueues(), closeFlowProducer(), closeRateLimiter()]);
  await db().$disconnect();
  await iso?.teardown();
});

const headers = (res: Response) => ({
  limit: res.headers.get("ratelimit-limit"),
  remaining: res.headers.get("ratelimit-remaining"),
  reset: Number(res.headers.get("ratelimit-reset")),
  policy: res.headers.get("ratelimit-policy"),
});

describe("the jobs API rate limit", () => {
  it("allows a burst, then answers 429 with Retry-After; every answer says where the caller stands", async () => {
    const cookie = await signUp("alice@example.com");
    const alice = jobsClient({ token: (await makeToken(cookie)).token });
    const bob = jobsClient({ token: (await makeToken(await signUp("bob@example.com"))).token });

    const first = await alice.create({ type: "summarize", payload: { text: "One short text to summarise." } });
    expect(first.status).toBe(202);
    expect(headers(first)).toMatchObject({ limit: "3", remaining: "2", policy: "3;w=6" });
    expect((await alice.list()).status).toBe(200);
    const third = await alice.get("00000000-0000-4000-8000-000000000000");
    expect(third.status).toBe(404); // errors count, and carry the headers too
    expect(headers(third).remaining).toBe("0");

    const refused = await alice.list();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(headers(refused)).toMatchObject({ limit: "3", remaining: "0" });
    expect(headers(refused).reset).toBeGreaterThan(0);
    const { error } = await refused.json();
    expect(error.code).toBe("rate_limited");
    expect(error.message).toMatch(/30 a minute, 3 at once/);

    // Per token: Bob is not affected. A browser session has its own bucket per user.
    expect((await bob.list()).status).toBe(200);
    expect((await jobsClient({ cookie }).list()).status).toBe(200);

    // One request's worth comes back after Retry-After.
    await sleep(retryAfter * 1000 + 100);
    const later = await alice.list();
    expect(later.status).toBe(200);
    expect(headers(later).remaining).toBe("0");
  });
});
