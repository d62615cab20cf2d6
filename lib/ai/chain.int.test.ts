// The fallback chain with the real SDKs against stubs on 127.0.0.1 and circuits in real
// Redis. Two chains on two Redis clients stand for two worker processes.
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { badRequest, quotaExhausted, rateLimited, startAiStub, success, unavailable, type AiStub, type StubKind } from "@/test/ai-stubs";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { createAnthropicTextProvider } from "./anthropic-text";
import { AiChainError, createAiChain, type AiChainConfig } from "./chain";
import { createCircuit } from "./circuit";
import { AiError } from "./errors";
import { createGeminiTextProvider } from "./gemini-text";
import type { TextProvider } from "./generate";
import { createOpenAiTextProvider } from "./openai-text";
import { DEFAULT_AI_PRICES } from "./prices";

const KINDS: StubKind[] = ["gemini", "openai", "anthropic"];
const stubs = {} as Record<StubKind, AiStub>;
const providers = {} as Record<StubKind, TextProvider>;
let iso: IsolatedEnv;
let redisA: Redis;
let redisB: Redis;

beforeAll(async () => {
  iso = await isolate();
  redisA = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  redisB = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  for (const kind of KINDS) stubs[kind] = await startAiStub(kind);
  const common = { apiKey: "test-key", timeoutMs: 5_000, prices: DEFAULT_AI_PRICES };
  providers.gemini = createGeminiTextProvider({ ...common, baseUrl: stubs.gemini.baseUrl, model: "gemini-2.5-flash" });
  providers.openai = createOpenAiTextProvider({ ...common, baseUrl: stubs.openai.baseUrl, model: "gpt-4.1-mini" });
  providers.anthropic = createAnthropicTextProvider({ ...common, baseUrl: stubs.anthropic.baseUrl, model: "claude-haiku-4-5" });
});

afterAll(async () => {
  await Promise.all(KINDS.map((k) => stubs[k]?.close()));
  await redisA?.quit();
  await redisB?.quit();
  await iso?.teardown();
});

beforeEach(async () => {
  const circuit = createCircuit({ redis: redisA, prefix: iso.prefix, openMs: 0 });
  for (const kind of KINDS) {
    stubs[kind].reset();
    stubs[kind].fallback = () => success(kind, `${kind} says hi`);
    await circuit.reset(kind);
  }
});

function chain(redis: Redis, opts: Partial<AiChainConfig> = {}) {
  return createAiChain({
    providers: [providers.gemini, providers.openai, providers.anthropic, "local"],
    redis,
    prefix: iso.prefix,
    fallbackEnabled: true,
    circuitOpenMs: 60_000,
    maxConcurrent: 4,
    ...opts,
  });
}

const ask = { prompt: "Summarise: the cat sat on the mat." };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("AI fallback chain", () => {
  it("answers from the first provider, with usage and cost and nothing skipped", async () => {
    stubs.gemini.reply(success("gemini", "A cat sat.", { input: 2_000, output: 100 }));
    const result = await chain(redisA).generate(ask);
    expect(result).toMatchObject({ text: "A cat sat.", provider: "gemini", skipped: [] });
    expect(result.usage).toEqual({ inputTokens: 2_000, outputTokens: 100, costUsd: (2_000 * 0.3 + 100 * 2.5) / 1e6 });
    expect(stubs.openai.requests).toHaveLength(0);
  });

  it("falls back past a 503, says why, and rests the failed provider for every process", async () => {
    stubs.gemini.reply(unavailable("gemini"));

    const first = await chain(redisA).generate(ask);
    expect(first.provider).toBe("openai");
    expect(first.text).toBe("openai says hi");
    expect(first.skipped).toEqual([{ provider: "gemini", kind: "transient", reason: expect.stringMatching(/Gemini is unavailable \(HTTP 503\)/) }]);

    // Another process: Gemini is not asked while its circuit is open.
    const second = await chain(redisB).generate(ask);
    expect(second.provider).toBe("openai");
    expect(second.skipped[0]).toMatchObject({ provider: "gemini", kind: "circuit_open", openedBy: "transient" });
    expect(second.skipped[0].reason).toMatch(/HTTP 503.*Resting for another (59|60) seconds/);
    expect(stubs.gemini.requests).toHaveLength(1);
  });

  it("honours a 429's retry delay across processes: no request to that provider until it has passed", async () => {
    // The circuit's own rest is shorter than the delay Gemini asks for: the delay wins.
    const a = chain(redisA, { circuitOpenMs: 200 });
    const b = chain(redisB, { circuitOpenMs: 200 });
    stubs.gemini.reply(rateLimited("gemini", 1.5));

    const first = await a.generate(ask);
    expect(first.provider).toBe("openai");
    expect(first.skipped[0]).toMatchObject({ provider: "gemini", kind: "rate_limited", retryAfterMs: 1_500 });
    const limitedAt = stubs.gemini.requests[0].endedAt!;

    // Both "processes" keep working, several calls at once, while Gemini rests.
    while (Date.now() < limitedAt + 1_200) {
      const results = await Promise.all([a.generate(ask), b.generate(ask), a.generate(ask), b.generate(ask)]);
      for (const r of results) {
        expect(r.provider).toBe("openai");
        expect(r.skipped[0]).toMatchObject({ provider: "gemini", kind: "circuit_open", openedBy: "rate_limited" });
      }
      await sleep(100);
    }
    expect(stubs.gemini.requests).toHaveLength(1);

    // The delay counts from when the chain read the 429, a moment after the stub sent it.
    const circuit = createCircuit({ redis: redisA, prefix: iso.prefix, openMs: 0 });
    while ((await circuit.state("gemini")).open) await sleep(20);
    const after = await b.generate(ask);
    expect(after.provider).toBe("gemini");
    expect(after.skipped).toEqual([]);
    expect(stubs.gemini.requests).toHaveLength(2);
    expect(stubs.gemini.requests[1].at - limitedAt).toBeGreaterThanOrEqual(1_500);
  });

  it("skips a provider whose quota is used up and says so", async () => {
    stubs.gemini.reply(quotaExhausted("gemini"));
    stubs.openai.reply(quotaExhausted("openai"));
    const result = await chain(redisA).generate(ask);
    expect(result.provider).toBe("anthropic");
    expect(result.skipped.map((s) => [s.provider, s.kind])).toEqual([
      ["gemini", "quota_exhausted"],
      ["openai", "quota_exhausted"],
    ]);
    expect(result.skipped[1].reason).toMatch(/no quota or credit left/);
  });

  it("moves on past a rejected request without resting the provider", async () => {
    stubs.gemini.reply(badRequest("gemini"));
    const first = await chain(redisA).generate(ask);
    expect(first.provider).toBe("openai");
    expect(first.skipped[0]).toMatchObject({ provider: "gemini", kind: "permanent" });
    const second = await chain(redisB).generate(ask);
    expect(second.provider).toBe("gemini");
  });

  it("ends with the caller's local answer when every remote provider fails", async () => {
    for (const kind of KINDS) stubs[kind].reply(unavailable(kind));
    const result = await chain(redisA).generate(ask, { local: async (req) => `local: ${req.prompt.length} chars` });
    expect(result).toMatchObject({ provider: "local", model: "local", text: "local: 34 chars", usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } });
    expect(result.skipped.map((s) => s.provider)).toEqual(["gemini", "openai", "anthropic"]);
  });

  it("without a local answer, fails as rate limited when every provider is resting from a rate limit", async () => {
    for (const kind of KINDS) stubs[kind].reply(rateLimited(kind, 2));
    const err = await chain(redisA, { circuitOpenMs: 0 }).generate(ask).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AiChainError);
    const e = err as AiChainError;
    expect(e.kind).toBe("rate_limited");
    expect(e.retryAfterMs).toBe(2_000);
    expect(e.skipped.map((s) => s.kind)).toEqual(["rate_limited", "rate_limited", "rate_limited", "not_available"]);
    expect(e.message).toMatch(/^No AI provider could answer\. gemini: Gemini is rate limiting/);

    // Meanwhile nobody sends anything: the same answer comes from the circuits alone.
    const again = (await chain(redisB).generate(ask).catch((x: unknown) => x)) as AiChainError;
    expect(again.kind).toBe("rate_limited");
    expect(again.retryAfterMs).toBeLessThanOrEqual(2_000);
    expect(again.retryAfterMs).toBeGreaterThan(1_000);
    for (const kind of KINDS) expect(stubs[kind].requests).toHaveLength(1);
  });

  it("with fallback disabled, tries only the first provider and returns its error", async () => {
    stubs.gemini.reply(unavailable("gemini"));
    const noFallback = chain(redisA, { fallbackEnabled: false });
    expect(noFallback.order).toEqual(["gemini", "openai", "anthropic", "local"]);
    const err = (await noFallback.generate(ask, { local: async () => "local" }).catch((e: unknown) => e)) as AiChainError;
    expect(err).toBeInstanceOf(AiChainError);
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/^Gemini is unavailable \(HTTP 503\)/);
    expect(stubs.openai.requests).toHaveLength(0);
    expect(stubs.anthropic.requests).toHaveLength(0);
  });

  it("with fallback disabled, a rate-limited first provider makes callers wait without sending", async () => {
    stubs.gemini.reply(rateLimited("gemini", 3));
    const a = chain(redisA, { fallbackEnabled: false, circuitOpenMs: 0 });
    const b = chain(redisB, { fallbackEnabled: false, circuitOpenMs: 0 });
    const first = (await a.generate(ask).catch((e: unknown) => e)) as AiError;
    expect(first).toMatchObject({ kind: "rate_limited", retryAfterMs: 3_000 });
    const second = (await b.generate(ask).catch((e: unknown) => e)) as AiError;
    expect(second.kind).toBe("rate_limited");
    expect(second.retryAfterMs).toBeGreaterThan(2_000);
    expect(stubs.gemini.requests).toHaveLength(1);
  });

  it("closes the circuit again once the open period is over", async () => {
    stubs.gemini.reply(unavailable("gemini"));
    const c = chain(redisA, { circuitOpenMs: 400 });
    expect((await c.generate(ask)).provider).toBe("openai");
    expect((await c.generate(ask)).skipped[0]).toMatchObject({ provider: "gemini", kind: "circuit_open" });
    await sleep(450);
    const later = await c.generate(ask);
    expect(later.provider).toBe("gemini");
    expect(stubs.gemini.requests).toHaveLength(2);
  });

  it("aborts the provider's HTTP request when the caller cancels, without falling back or resting it", async () => {
    stubs.gemini.reply("hang");
    const controller = new AbortController();
    const aborted = stubs.gemini.nextAbort();
    const call = chain(redisA).generate({ ...ask, signal: controller.signal }).catch((e: unknown) => e);
    while (stubs.gemini.requests.length === 0) await sleep(10);
    controller.abort();
    expect((await aborted).aborted).toBe(true);
    const err = await call;
    expect(err).toBeInstanceOf(AiError);
    expect((err as AiError).message).toMatch(/cancelled/);
    expect(stubs.openai.requests).toHaveLength(0);
    expect((await chain(redisB).generate(ask)).provider).toBe("gemini");
  });

  // Two chains with their own Redis clients stand for two processes here; with two real
  // worker processes: worker/ai-cap-processes.int.test.ts.
  it("caps calls in flight to a provider across two processes", async () => {
    stubs.gemini.fallback = () => ({ ...success("gemini", "slow"), delayMs: 50 });
    const a = chain(redisA, { maxConcurrent: 2 });
    const b = chain(redisB, { maxConcurrent: 2 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).generate(ask)));
    expect(results.every((r) => r.provider === "gemini")).toBe(true);
    expect(stubs.gemini.requests).toHaveLength(12);
    expect(stubs.gemini.maxInFlight).toBe(2);
  });

  it("says plainly when nothing is configured", async () => {
    const empty = createAiChain({ providers: [], redis: redisA, prefix: iso.prefix, fallbackEnabled: true, circuitOpenMs: 0, maxConcurrent: 1 });
    await expect(empty.generate(ask)).rejects.toMatchObject({ kind: "permanent", message: expect.stringMatching(/No AI provider is configured/) });
  });
});
