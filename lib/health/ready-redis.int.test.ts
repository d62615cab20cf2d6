// /api/ready against a Redis that would lose jobs (maxmemory-policy allkeys-lru) and then
// against no Redis at all. Uses its own throw-away redis-server on a port of its own; the
// shared Redis is never reconfigured.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as ready } from "@/app/api/ready/route";
import { db } from "@/lib/db";
import { closeQueues } from "@/lib/jobs";
import { call } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";

const PORTS = [3240, 3241, 3242, 3243, 3244];
let port = 0;
let redis: ChildProcess | undefined;
let iso: IsolatedEnv;
const sharedRedisUrl = process.env.REDIS_URL;

const free = (p: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer().once("error", () => resolve(false));
    server.listen(p, "127.0.0.1", () => server.close(() => resolve(true)));
  });

beforeAll(async () => {
  for (const p of PORTS) if (await free(p)) { port = p; break; }
  if (!port) throw new Error(`No free port among ${PORTS.join(", ")} for a private redis-server`);
  redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "allkeys-lru"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  // redis-server prints this line once it accepts connections.
  let out = "";
  for await (const chunk of redis.stdout!) {
    out += chunk;
    if (/Ready to accept connections/.test(out)) break;
  }
  redis.stdout!.resume();
  iso = await isolate({ REDIS_URL: `redis://127.0.0.1:${port}` });
});

afterAll(async () => {
  await closeQueues();
  await db().$disconnect();
  if (redis && redis.exitCode === null) {
    redis.kill("SIGTERM");
    await once(redis, "exit");
  }
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
    redis!.kill("SIGTERM");
    await once(redis!, "exit");
    const res = await call(ready, { path: "/api/ready" });
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.failed).toEqual(["redis"]);
    expect(body.checks.redis.error).toMatch(/^Redis (refused the connection|is unreachable|did not answer)/);
    expect(JSON.stringify(body)).not.toContain(`127.0.0.1:${port}`);
  });
});
