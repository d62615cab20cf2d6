// Each text provider through its real SDK against a stub of its API on 127.0.0.1: what it
// sends, what it reads back (text, usage, cost), and how each failure is classified.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { badRequest, quotaExhausted, rateLimited, startAiStub, success, unavailable, type AiStub, type StubKind } from "@/test/ai-stubs";
import { createAnthropicTextProvider } from "./anthropic-text";
import { AiError } from "./errors";
import { createGeminiTextProvider } from "./gemini-text";
import type { TextProvider } from "./generate";
import { createOpenAiTextProvider } from "./openai-text";
import { DEFAULT_AI_PRICES } from "./prices";
import { captionWriter } from "./configured";
import { textProvidersFromEnv } from "./text-providers";

const KEY = "sk-test-secret-key-0123456789";
const KINDS: StubKind[] = ["gemini", "openai", "anthropic"];
const MODELS = { gemini: "gemini-2.5-flash", openai: "gpt-4.1-mini", anthropic: "claude-haiku-4-5" } as const;
const stubs = {} as Record<StubKind, AiStub>;

beforeAll(async () => {
  for (const kind of KINDS) stubs[kind] = await startAiStub(kind);
});
afterAll(async () => {
  await Promise.all(KINDS.map((k) => stubs[k].close()));
});
beforeEach(() => {
  for (const kind of KINDS) stubs[kind].reset();
});

function provider(kind: StubKind, timeoutMs = 5_000): TextProvider {
  const common = { apiKey: KEY, baseUrl: stubs[kind].baseUrl, model: MODELS[kind], timeoutMs, prices: DEFAULT_AI_PRICES };
  if (kind === "gemini") return createGeminiTextProvider(common);
  if (kind === "openai") return createOpenAiTextProvider(common);
  return createAnthropicTextProvider(common);
}

async function failure(promise: Promise<unknown>): Promise<AiError> {
  const err = await promise.then(
    () => new Error("expected the call to fail"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AiError);
  return err as AiError;
}

// The parts of each API's request body these tests read.
interface GeminiBody {
  systemInstruction?: { parts?: Array<{ text?: string }> };
  contents: Array<{ parts: Array<{ text: string }> }>;
  generationConfig?: { responseJsonSchema?: unknown; maxOutputTokens?: number };
}
interface OpenAiBody {
  messages: Array<{ role: string; content: string }>;
  response_format?: { json_schema?: { schema?: unknown } };
  max_tokens?: number;
  max_completion_tokens?: number;
}
interface AnthropicBody {
  system?: string;
  messages: Array<{ content: string }>;
  output_config?: { format?: { schema?: unknown } };
  max_tokens?: number;
}

/** What each API calls the system prompt, the user prompt and the schema, read back from the stub. */
function sent(kind: StubKind, body: unknown) {
  if (kind === "gemini") {
    const b = body as GeminiBody;
    return {
      system: b.systemInstruction?.parts?.[0]?.text,
      prompt: b.contents[0].parts[0].text,
      schema: b.generationConfig?.responseJsonSchema,
      maxTokens: b.generationConfig?.maxOutputTokens,
    };
  }
  if (kind === "openai") {
    const b = body as OpenAiBody;
    return {
      system: b.messages.find((m) => m.role === "system")?.content,
      prompt: b.messages.find((m) => m.role === "user")?.content,
      schema: b.response_format?.json_schema?.schema,
      maxTokens: b.max_tokens ?? b.max_completion_tokens,
    };
  }
  const b = body as AnthropicBody;
  return { system: b.system, prompt: b.messages[0].content, schema: b.output_config?.format?.schema, maxTokens: b.max_tokens };
}

/** The pictures and the text of a request's user turn, read back in each API's own format. */
function imagesSent(kind: StubKind, body: unknown): { images: Array<{ mimeType: string; data: string }>; prompt: string } {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each API's content parts, read loosely
  type Part = any;
  if (kind === "gemini") {
    // Gemini: inlineData parts, then the text.
    const parts = (body as { contents: Array<{ parts: Part[] }> }).contents[0].parts;
    return {
      images: parts.filter((p) => p.inlineData).map((p) => ({ mimeType: p.inlineData.mimeType, data: p.inlineData.data })),
      prompt: parts.filter((p) => p.text).map((p) => p.text).join(""),
    };
  }
  if (kind === "openai") {
    // OpenAI chat: image_url parts holding data: URLs, then a text part.
    const parts = (body as { messages: Array<{ role: string; content: Part[] }> }).messages.find((m) => m.role === "user")!.content;
    return {
      images: parts
        .filter((p) => p.type === "image_url")
        .map((p) => {
          const m = /^data:([^;]+);base64,(.*)$/.exec(p.image_url.url)!;
          return { mimeType: m[1], data: m[2] };
        }),
      prompt: parts.filter((p) => p.type === "text").map((p) => p.text).join(""),
    };
  }
  // Anthropic: image blocks with a base64 source, then a text block.
  const parts = (body as { messages: Array<{ content: Part[] }> }).messages[0].content;
  return {
    images: parts.filter((p) => p.type === "image").map((p) => ({ mimeType: p.source.media_type, data: p.source.type === "base64" ? p.source.data : undefined })),
    prompt: parts.filter((p) => p.type === "text").map((p) => p.text).join(""),
  };
}

const SCHEMA = { type: "object", properties: { summary: { type: "string" } }, required: ["summary"] };

describe.each(KINDS)("%s text provider", (kind) => {
  it("sends system, prompt, schema and token limit, and returns text, usage and cost", async () => {
    stubs[kind].reply(success(kind, JSON.stringify({ summary: "Short." }), { input: 1_000_000, output: 200_000 }));

    const result = await provider(kind).generate({ system: "Be brief.", prompt: "Summarise this.", json: SCHEMA, maxOutputTokens: 300 });

    expect(JSON.parse(result.text)).toEqual({ summary: "Short." });
    expect(result.provider).toBe(kind);
    expect(result.usage.inputTokens).toBe(1_000_000);
    expect(result.usage.outputTokens).toBe(200_000);
    // One million input tokens at the model's input price plus 0.2 M output tokens.
    const price = DEFAULT_AI_PRICES[MODELS[kind]];
    expect(result.usage.costUsd).toBeCloseTo(price.input + 0.2 * price.output, 6);

    expect(stubs[kind].requests).toHaveLength(1);
    const req = stubs[kind].requests[0];
    expect(sent(kind, req.body)).toEqual({ system: "Be brief.", prompt: "Summarise this.", schema: SCHEMA, maxTokens: 300 });
    // Anthropic's SDK 1.x sends the key as a bearer token (older ones used x-api-key).
    const auth = kind === "gemini" ? req.headers["x-goog-api-key"] : (req.headers["x-api-key"] ?? req.headers.authorization);
    expect(auth).toContain(KEY);
  });

  it("sends a picture with the prompt in its API's image format (photo captions)", async () => {
    stubs[kind].reply(success(kind, JSON.stringify({ caption: "A kite.", tags: ["kite"] })));
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

    const result = await provider(kind).generate({ prompt: "Describe this photo.", json: SCHEMA, images: [{ mimeType: "image/jpeg", data: jpeg }] });

    expect(JSON.parse(result.text)).toEqual({ caption: "A kite.", tags: ["kite"] });
    expect(imagesSent(kind, stubs[kind].requests[0].body)).toEqual({ images: [{ mimeType: "image/jpeg", data: jpeg.toString("base64") }], prompt: "Describe this photo." });
  });

  it("classifies a 429 with a retry delay as rate limited with that delay, without retrying by itself", async () => {
    stubs[kind].reply(rateLimited(kind, 7));
    const err = await failure(provider(kind).generate({ prompt: "x" }));
    expect(err.kind).toBe("rate_limited");
    expect(err.retryAfterMs).toBe(7_000);
    expect(stubs[kind].requests).toHaveLength(1);
  });

  it("classifies a used-up quota or balance as quota exhausted, not retryable", async () => {
    stubs[kind].reply(quotaExhausted(kind));
    const err = await failure(provider(kind).generate({ prompt: "x" }));
    expect(err.kind).toBe("quota_exhausted");
    expect(err.retryable).toBe(false);
    expect(stubs[kind].requests).toHaveLength(1);
  });

  it("classifies a 503 as transient and a 400 as permanent, naming the provider", async () => {
    stubs[kind].reply(unavailable(kind), badRequest(kind));
    const outage = await failure(provider(kind).generate({ prompt: "x" }));
    expect(outage.kind).toBe("transient");
    expect(outage.message).toMatch(/HTTP 503/);
    const rejected = await failure(provider(kind).generate({ prompt: "x" }));
    expect(rejected.kind).toBe("permanent");
    expect(rejected.message).toMatch(/rejected the request \(HTTP 400\): Invalid request/);
    expect(`${outage.message} ${rejected.message}`).toMatch(kind === "gemini" ? /Gemini/ : kind === "openai" ? /compatible server at 127\.0\.0\.1/ : /Anthropic/);
  });

  it("closes the HTTP request when the caller aborts", async () => {
    stubs[kind].reply("hang");
    const controller = new AbortController();
    const call = failure(provider(kind).generate({ prompt: "x", signal: controller.signal }));
    const aborted = stubs[kind].nextAbort();
    await waitFor(() => stubs[kind].requests.length === 1);
    controller.abort();
    const seen = await aborted;
    expect(seen.aborted).toBe(true);
    const err = await call;
    expect(err.message).toMatch(/cancelled/);
    expect(stubs[kind].inFlight).toBe(0);
  });

  it("gives up after its timeout as a transient failure, and the stub sees the request closed", async () => {
    stubs[kind].reply("hang");
    const started = Date.now();
    const err = await failure(provider(kind, 300).generate({ prompt: "x" }));
    expect(err.kind).toBe("transient");
    expect(Date.now() - started).toBeLessThan(3_000);
    await waitFor(() => stubs[kind].requests[0]?.aborted === true);
  });

  it("calls a reply that is not the JSON asked for malformed (transient), and never echoes the key", async () => {
    stubs[kind].reply(success(kind, "Sure! Here is your summary"));
    const err = await failure(provider(kind).generate({ prompt: "x", json: SCHEMA }));
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/malformed reply/);
    stubs[kind].reply({ ...badRequest(kind, `API key ${KEY} is not valid.`), status: 401 });
    const auth = await failure(provider(kind).generate({ prompt: "x" }));
    expect(auth.kind).toBe("permanent");
    expect(auth.message).toMatch(/rejected the API key/);
    expect(`${auth.message} ${String((auth.cause as Error)?.message)}`).not.toContain(KEY);
  });
});

describe("provider details", () => {
  it("counts Gemini's thinking tokens as output, and prices a dated model by its family", async () => {
    stubs.gemini.reply(success("gemini", "hi", { input: 100, output: 10, thoughts: 40 }, "gemini-2.5-flash-preview-09-2025"));
    const result = await provider("gemini").generate({ prompt: "x" });
    expect(result.model).toBe("gemini-2.5-flash-preview-09-2025");
    expect(result.usage).toEqual({ inputTokens: 100, outputTokens: 50, costUsd: expect.closeTo((100 * 0.3 + 50 * 2.5) / 1e6, 9) });
  });

  it("reports an unknown model's cost as null rather than free", async () => {
    stubs.openai.reply(success("openai", "hi", { input: 100, output: 10 }, "llama3.2:3b"));
    const result = await createOpenAiTextProvider({ baseUrl: stubs.openai.baseUrl, model: "llama3.2:3b", timeoutMs: 5_000, prices: DEFAULT_AI_PRICES }).generate({ prompt: "x" });
    expect(result.usage.costUsd).toBeNull();
    // No key configured (Ollama): the request still goes out.
    expect(stubs.openai.requests).toHaveLength(1);
  });

  it("reads OpenAI's retry-after-ms and an HTTP-date retry-after", async () => {
    stubs.openai.reply({ ...rateLimited("openai", 1), headers: { "retry-after-ms": "1500" } });
    expect((await failure(provider("openai").generate({ prompt: "x" }))).retryAfterMs).toBe(1_500);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    stubs.anthropic.reply({ ...rateLimited("anthropic", 1), headers: { "retry-after": inTenSeconds } });
    const wait = (await failure(provider("anthropic").generate({ prompt: "x" }))).retryAfterMs!;
    expect(wait).toBeGreaterThan(8_000);
    expect(wait).toBeLessThanOrEqual(10_000);
  });

  it("treats Anthropic's 529 overloaded as transient", async () => {
    stubs.anthropic.reply({ status: 529, json: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } } });
    const err = await failure(provider("anthropic").generate({ prompt: "x" }));
    expect(err.kind).toBe("transient");
    expect(stubs.anthropic.requests).toHaveLength(1);
  });
});

describe("textProvidersFromEnv", () => {
  type ProvidersEnv = Parameters<typeof textProvidersFromEnv>[0];
  const base: ProvidersEnv = {
    AI_PROVIDERS: ["gemini", "openai", "anthropic", "local"],
    AI_REQUEST_TIMEOUT: 60_000,
    AI_PRICES: DEFAULT_AI_PRICES,
    GEMINI_API_KEY: undefined,
    GEMINI_MODEL: "gemini-2.5-flash",
    GEMINI_BASE_URL: undefined,
    OPENAI_API_KEY: undefined,
    OPENAI_BASE_URL: undefined,
    OPENAI_MODEL: "gpt-4.1-mini",
    ANTHROPIC_API_KEY: undefined,
    ANTHROPIC_BASE_URL: undefined,
    ANTHROPIC_MODEL: "claude-haiku-4-5",
  };
  const names = (env: Partial<ProvidersEnv>) => textProvidersFromEnv({ ...base, ...env }).map((p) => (p === "local" ? p : p.name));

  it("keeps only configured providers, in the configured order", () => {
    expect(names({})).toEqual(["local"]);
    expect(names({ GEMINI_API_KEY: "  " })).toEqual(["local"]);
    expect(names({ ANTHROPIC_API_KEY: "a", GEMINI_API_KEY: "g" })).toEqual(["gemini", "anthropic", "local"]);
    // A base URL alone configures the OpenAI-compatible provider (Ollama needs no key).
    expect(names({ OPENAI_BASE_URL: "http://127.0.0.1:11434/v1", AI_PROVIDERS: ["openai", "local", "gemini"], GEMINI_API_KEY: "g" })).toEqual([
      "openai",
      "local",
      "gemini",
    ]);
  });

  it("names who writes photo captions: the first configured provider, none when that is local", () => {
    const writer = (env: Partial<ProvidersEnv>) => captionWriter({ ...base, ...env });
    expect(writer({})).toBeNull();
    expect(writer({ GEMINI_API_KEY: "g" })).toBe("Gemini");
    expect(writer({ GEMINI_API_KEY: "g", AI_PROVIDERS: ["local", "gemini"] })).toBeNull();
    expect(writer({ ANTHROPIC_API_KEY: "a", OPENAI_API_KEY: " " })).toBe("Anthropic");
    expect(writer({ OPENAI_API_KEY: "o" })).toBe("OpenAI");
    expect(writer({ OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" })).toBe("the OpenAI-compatible server at 127.0.0.1");
  });
});

async function waitFor(check: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
