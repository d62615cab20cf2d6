// /api/ready against a Redis that would lose jobs (maxmemory-policy allkeys-lru) and then
// against no Redis at all. Uses its own throw-away redis-server on a port of its own; the
// shared Redis is never reconfigured.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as ready } from "@/app/api/ready/route";
import { db } from "@/lib/db";
import { closeQueues } from "@/lib/jobs";
import { call } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { startPrivateRedis, type PrivateRedis } from "@/test/processes";

let redis: PrivateRedis | undefined;
let iso: IsolatedEnv;
const sharedRedisUrl = process.env.REDIS_URL;

beforeAll(async () => {
  redis = await startPrivateRedis({ portRange: [3240, 3244], appendfsync: "off", maxmemoryPolicy: "allkeys-lru" });
  iso = await isolate({ REDIS_URL: redis.url });
});

afterAll(async () => {
  await closeQueues();
  await db().$disconnect();
  await redis?.destroy();
  // Teardown cleans keys on the Redis it is pointed at: the shared one had none of ours.
  if (sharedRedisUrl) process.env.REDIS_URL = sharedRedisUrl;
  else delete process.env.REDIS_URL;
  await iso?.teardown();
});

describe("GET /api/ready when Redis cannot be trusted", () => {
  it("is 503 naming Redis when it would evict keys, with the policy and how to fix it", async () => {
    const res = await call(ready, { path: "/api/ready" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    const body = await res.json();
    expect(body).toMatchObject({ status: "not ready", failed: ["redis"] });
    expect(body.checks.postgres.ok).toBe(true);
    expect(body.checks.storage.ok).toBe(true);
    expect(body.checks.redis).toMatchObject({ ok: false, details: { maxmemoryPolicy: "allkeys-lru" } });
    expect(body.checks.redis.error).toMatch(/maxmemory-policy is "allkeys-lru".*"noeviction"/);
  });

  it("is 503 naming Redis when Redis is gone", async () => {
    await redis!.stop();
    const res = await call(ready, { path: "/api/ready" });
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.failed).toEqual(["redis"]);
    expect(body.checks.redis.error).toMatch(/^Redis (refused the connection|is unreachable|did not answer)/);
    expect(JSON.stringify(body)).not.toContain(`127.0.0.1:${redis!.port}`);
  });
});
