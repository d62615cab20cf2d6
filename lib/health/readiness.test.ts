import { describe, expect, it } from "vitest";
import { checkReadiness, type RedisProbe } from "./readiness";

const redisWith = (policy: string | null, opts: { configDisabled?: boolean } = {}): RedisProbe => ({
  ping: async () => "PONG",
  config: async () => {
    if (opts.configDisabled) throw new Error("ERR unknown command 'CONFIG'");
    return ["maxmemory-policy", policy];
  },
  info: async () => `# Memory\r\nused_memory:1\r\nmaxmemory_policy:${policy}\r\n`,
});

const ok = async () => {};

describe("checkReadiness", () => {
  it("is ready when every service answers and Redis does not evict", async () => {
    const r = await checkReadiness({ postgres: ok, redis: async () => redisWith("noeviction"), storage: ok });
    expect(r.ready).toBe(true);
    expect(r.failed).toEqual([]);
    expect(r.checks.redis.details).toEqual({ maxmemoryPolicy: "noeviction" });
  });

  it("names an evicting Redis as not ready, with the policy and the fix", async () => {
    const r = await checkReadiness({ postgres: ok, redis: async () => redisWith("allkeys-lru", { configDisabled: true }), storage: ok });
    expect(r.ready).toBe(false);
    expect(r.failed).toEqual(["redis"]);
    expect(r.checks.redis.error).toMatch(/maxmemory-policy is "allkeys-lru".*noeviction/);
  });

  it("reports each failed service with a sentence and no connection details", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432 postgres://admin:hunter2@db"), { code: "ECONNREFUSED" });
    const r = await checkReadiness({
      postgres: async () => Promise.reject(refused),
      redis: async () => redisWith("noeviction"),
      storage: () => new Promise(() => {}), // never answers
      timeoutMs: 50,
    });
    expect(r.failed).toEqual(["postgres", "storage"]);
    expect(r.checks.postgres.error).toBe("PostgreSQL refused the connection (is it running?).");
    expect(r.checks.storage.error).toBe("Storage did not answer within 0.05 s.");
    expect(JSON.stringify(r)).not.toContain("hunter2");
  });
});
