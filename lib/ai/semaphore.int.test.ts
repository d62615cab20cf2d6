// The cross-process cap against real Redis: two clients stand for two worker processes
// (two real ones share it in worker/ai-cap-processes.int.test.ts).
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAiStub, success, type AiStub } from "@/test/ai-stubs";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { createSemaphore } from "./semaphore";

let iso: IsolatedEnv;
let stub: AiStub;
const clients: Redis[] = [];
const redisUrl = () => process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const client = () => {
  const r = new Redis(redisUrl());
  clients.push(r);
  return r;
};

beforeAll(async () => {
  iso = await isolate();
  stub = await startAiStub("openai");
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => {})));
  await stub?.close();
  await iso?.teardown();
});

describe("Redis semaphore", () => {
  it("never lets more than the limit reach the provider at once, across two clients", async () => {
    stub.reset();
    stub.fallback = () => ({ ...success("openai", "ok"), delayMs: 40 });
    const key = `${iso.prefix}:ai:semaphore:cap`;
    const a = createSemaphore({ redis: client(), key, limit: 3 });
    const b = createSemaphore({ redis: client(), key, limit: 3 });
    const call = () => fetch(`${stub.baseUrl}/chat/completions`, { method: "POST", body: "{}" }).then((r) => r.text());

    await Promise.all([...Array.from({ length: 15 }, () => a.use(call)), ...Array.from({ length: 15 }, () => b.use(call))]);

    expect(stub.requests).toHaveLength(30);
    expect(stub.maxInFlight).toBe(3); // reached, never passed
    expect(await a.holders()).toBe(0);
  });

  it("frees a crashed holder's slot when its lease runs out", async () => {
    const key = `${iso.prefix}:ai:semaphore:crash`;
    const doomed = client();
    const crashed = createSemaphore({ redis: doomed, key, limit: 1, leaseMs: 500 });
    const survivor = createSemaphore({ redis: client(), key, limit: 1, leaseMs: 500 });
    await crashed.acquire();
    const t0 = Date.now();
    doomed.disconnect(); // the process died: no release, no more renewals

    const release = await survivor.acquire();
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(350);
    expect(waited).toBeLessThan(2_000);
    await release();
  });

  it("keeps a slow holder's slot by renewing its lease", async () => {
    const key = `${iso.prefix}:ai:semaphore:renew`;
    const holder = createSemaphore({ redis: client(), key, limit: 1, leaseMs: 300 });
    const other = createSemaphore({ redis: client(), key, limit: 1, leaseMs: 300 });
    const release = await holder.acquire();
    const waiting = new AbortController();
    setTimeout(() => waiting.abort(), 1_000); // three leases long
    await expect(other.acquire(waiting.signal)).rejects.toThrow(/abort/i);
    await release();
    await (await other.acquire())();
  });

  it("gives up waiting when the caller aborts, without taking a slot, and wakes up on release", async () => {
    const key = `${iso.prefix}:ai:semaphore:abort`;
    const a = createSemaphore({ redis: client(), key, limit: 1 });
    const b = createSemaphore({ redis: client(), key, limit: 1 });
    const release = await a.acquire();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(b.acquire(controller.signal)).rejects.toThrow(/abort/i);
    expect(await b.holders()).toBe(1);

    const next = b.acquire();
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await release();
    const releaseB = await next;
    expect(Date.now() - t0).toBeLessThan(400); // polling pauses are capped at 250 ms
    await releaseB();
    expect(await a.holders()).toBe(0);
  });
});
