// Photo captions go through the AI chain, whose circuits live in Redis: a retry delay or an
// outage met by one worker process holds every other one too (issue 13), and a photo waits
// for the resting provider rather than settle for a local caption kept for good.
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rateLimited, startAiStub, unavailable, type AiStub } from "@/test/ai-stubs";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { parseEnv } from "../env";
import { createCircuit } from "./circuit";
import { AiError } from "./errors";
import { createAiChainFromEnv, createAiProvider } from "./index";
import type { DescribeInput } from "./types";

const INPUT: DescribeInput = {
  image: Buffer.from([0xff, 0xd8, 0xff, 0xd9]),
  mime: "image/jpeg",
  features: { width: 8, height: 6, orientation: "landscape", brightness: 0.5, saturation: 0.4, colours: ["#3366cc"], exif: null },
};
const caption = { status: 200, json: { candidates: [{ content: { role: "model", parts: [{ text: JSON.stringify({ caption: "A kite.", tags: ["kite"] }) }] }, finishReason: "STOP" }] } };

let iso: IsolatedEnv;
let stub: AiStub;
let redisA: Redis;
let redisB: Redis;

beforeAll(async () => {
  iso = await isolate();
  stub = await startAiStub("gemini");
  redisA = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  redisB = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
});
afterAll(async () => {
  await stub?.close();
  await redisA?.quit();
  await redisB?.quit();
  await iso?.teardown();
});
beforeEach(async () => {
  stub.reset();
  stub.fallback = () => caption;
  await createCircuit({ redis: redisA, prefix: iso.prefix, openMs: 0 }).reset("gemini");
});

/** One worker process's photo describer: Gemini, then local (AI_CIRCUIT_OPEN_MS as given). */
function worker(redis: Redis, circuitOpenMs = 0) {
  const config = parseEnv({
    DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/unused",
    QUEUE_PREFIX: iso.prefix,
    AI_PROVIDERS: "gemini,local",
    AI_CIRCUIT_OPEN_MS: String(circuitOpenMs),
    GEMINI_API_KEY: "k",
    GEMINI_MODEL: "gemini-2.5-flash",
    GEMINI_BASE_URL: stub.baseUrl,
    AI_TIMEOUT_MS: "5000",
  });
  return createAiProvider(config, { chain: createAiChainFromEnv(config, redis) });
}

describe("photo captions with the shared circuits", () => {
  it("holds every worker for the retry delay Gemini asked for, then captions again", async () => {
    stub.reply(rateLimited("gemini", 1));
    const a = worker(redisA);
    const b = worker(redisB);

    await expect(a.describe(INPUT)).rejects.toMatchObject({ kind: "rate_limited", retryAfterMs: 1_000 });
    const limitedAt = stub.requests[0].endedAt!;
    // The other process waits the rest of Gemini's delay (AI_CIRCUIT_OPEN_MS is 0 here, so
    // the rest is that delay), without sending anything.
    const held = (await b.describe(INPUT).catch((e: unknown) => e)) as AiError;
    expect(held).toBeInstanceOf(AiError);
    expect(held.kind).toBe("rate_limited");
    expect(held.retryAfterMs).toBeGreaterThan(0);
    expect(held.retryAfterMs).toBeLessThanOrEqual(1_000);
    expect(stub.requests).toHaveLength(1);

    // The delay counts from when the worker read the 429, a moment after the stub sent it.
    await new Promise((r) => setTimeout(r, (held.retryAfterMs ?? 0) + 50));
    await expect(b.describe(INPUT)).resolves.toMatchObject({ caption: "A kite.", provider: "gemini:gemini-2.5-flash" });
    expect(stub.requests[1].at - limitedAt).toBeGreaterThanOrEqual(1_000);
  });

  it("rests Gemini after an outage for every worker: the other's photo waits, nothing is sent, no attempt is spent", async () => {
    stub.reply(unavailable("gemini"));
    await expect(worker(redisA, 60_000).describe(INPUT)).rejects.toMatchObject({ kind: "transient" });
    const held = (await worker(redisB, 60_000).describe(INPUT).catch((e: unknown) => e)) as AiError;
    // rate_limited: the worker delays the photo by retryAfterMs without counting an attempt.
    expect(held).toMatchObject({ kind: "rate_limited" });
    expect(held.retryAfterMs).toBeGreaterThan(50_000);
    expect(held.message).toMatch(/Resting for another/);
    expect(stub.requests).toHaveLength(1);
  });
});
