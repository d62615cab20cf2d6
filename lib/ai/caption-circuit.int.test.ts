// Photo captions and Gemini's 429: with the shared circuit, a retry delay met by one worker
// process holds every other one too (issue 13), and nothing else about captions changes.
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rateLimited, startAiStub, unavailable, type AiStub } from "@/test/ai-stubs";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { createCircuit } from "./circuit";
import { AiError } from "./errors";
import { createAiProvider } from "./index";
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

function worker(redis: Redis) {
  const circuit = createCircuit({ redis, prefix: iso.prefix, openMs: 60_000 });
  return createAiProvider({ GEMINI_API_KEY: "k", GEMINI_MODEL: "gemini-2.5-flash", GEMINI_BASE_URL: stub.baseUrl, AI_TIMEOUT_MS: 5_000 }, { circuit });
}

describe("photo captions with the shared Gemini circuit", () => {
  it("holds every worker for the retry delay Gemini asked for, then captions again", async () => {
    stub.reply(rateLimited("gemini", 1));
    const a = worker(redisA);
    const b = worker(redisB);

    await expect(a.describe(INPUT)).rejects.toMatchObject({ kind: "rate_limited", retryAfterMs: 1_000 });
    const limitedAt = stub.requests[0].endedAt!;
    // The other process waits the rest of Gemini's delay (not the 60 s circuit of the text chain).
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

  it("leaves outages to the worker's retries, as before: the next photo still calls Gemini", async () => {
    stub.reply(unavailable("gemini"));
    const a = worker(redisA);
    await expect(a.describe(INPUT)).rejects.toMatchObject({ kind: "transient" });
    await expect(worker(redisB).describe(INPUT)).resolves.toMatchObject({ caption: "A kite." });
    expect(stub.requests).toHaveLength(2);
  });
});
