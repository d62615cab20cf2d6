// Photo descriptions through the chain (lib/ai/describe.ts) with Gemini's real
// @google/genai SDK against a stub endpoint on 127.0.0.1, so the request we send and the
// errors the SDK raises are the real ones, with no network; the chain's circuits and cap
// live in Redis. The other providers' image requests: lib/ai/text-providers.test.ts.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { createAiChain, type Skip } from "./chain";
import { createPhotoDescriber } from "./describe";
import { AiError } from "./errors";
import { createGeminiTextProvider } from "./gemini-text";
import { createLocalProvider } from "./local";
import { DEFAULT_AI_PRICES } from "./prices";
import type { DescribeInput } from "./types";

const MODEL = "gemini-test";
const API_KEY = "AIzaSy-test-key-0123456789";
const IMAGE = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);
const INPUT: DescribeInput = {
  image: IMAGE,
  mime: "image/jpeg",
  features: {
    width: 800,
    height: 600,
    orientation: "landscape",
    brightness: 0.5,
    saturation: 0.4,
    colours: ["#3366cc"],
    exif: null,
  },
};

interface Captured {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke at whatever JSON the SDK sent
  body: any;
}

type Reply = { status: number; json?: unknown; text?: string } | "hang";

let server: http.Server;
let baseUrl: string;
let requests: Captured[] = [];
let replies: Reply[] = [];
let iso: IsolatedEnv;
let redis: Redis;
let chains = 0;

beforeAll(async () => {
  iso = await isolate();
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: raw ? JSON.parse(raw) : null });
      const reply = replies.shift() ?? { status: 500, json: { error: { code: 500, message: "no reply queued" } } };
      if (reply === "hang") return; // never answer; the client's timeout must fire
      if (reply.json !== undefined) {
        res.writeHead(reply.status, { "content-type": "application/json; charset=UTF-8" });
        res.end(JSON.stringify(reply.json));
      } else {
        res.writeHead(reply.status, { "content-type": "text/plain" });
        res.end(reply.text ?? "");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await redis?.quit();
  await iso?.teardown();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
  replies = [];
});

/**
 * A describer whose chain is Gemini alone (its errors are then the photo's), or Gemini then
 * local; each gets its own circuits, so one test's 429 does not rest Gemini for the next.
 */
function provider(timeoutMs = 5_000, options: { url?: string; local?: boolean; onPassedOver?: (skipped: Skip[]) => void } = {}) {
  const gemini = createGeminiTextProvider({ apiKey: API_KEY, model: MODEL, baseUrl: options.url ?? baseUrl, timeoutMs: 60_000, prices: DEFAULT_AI_PRICES });
  chains += 1;
  const chain = createAiChain({
    providers: options.local ? [gemini, "local"] : [gemini],
    redis,
    prefix: `${iso.prefix}:${chains}`,
    fallbackEnabled: true,
    circuitOpenMs: 0,
    maxConcurrent: 4,
  });
  return createPhotoDescriber({ chain, local: createLocalProvider(), timeoutMs, onPassedOver: options.onPassedOver });
}

/** The smallest generateContent reply whose `response.text` is `text`. */
function modelSays(text: string): Reply {
  return {
    status: 200,
    json: { candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP" }] },
  };
}

async function failure(promise: Promise<unknown>): Promise<AiError> {
  const err = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AiError);
  return err as AiError;
}

describe("photo descriptions from Gemini, through the chain", () => {
  it("sends the image inline with a JSON response schema and parses the reply", async () => {
    replies.push(
      modelSays(JSON.stringify({ caption: "  A dog runs along\n a sandy beach.  ", tags: ["Dog", "beach", " dog ", "Sea"] })),
    );

    const result = await provider().describe(INPUT);

    expect(result).toEqual({
      caption: "A dog runs along a sandy beach.",
      tags: ["dog", "beach", "sea"],
      provider: "gemini:gemini-test",
    });
    expect(requests).toHaveLength(1);
    const req = requests[0];
    expect(req.method).toBe("POST");
    expect(req.url).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(req.headers["x-goog-api-key"]).toBe(API_KEY);
    const parts = req.body.contents[0].parts;
    expect(parts[0].inlineData).toEqual({ mimeType: "image/jpeg", data: IMAGE.toString("base64") });
    expect(parts[1].text).toMatch(/caption/);
    expect(req.body.generationConfig.responseMimeType).toBe("application/json");
    const schema = req.body.generationConfig.responseJsonSchema;
    expect(schema.type).toBe("object");
    expect(schema.required).toEqual(["caption", "tags"]);
    expect(schema.properties.caption.type).toBe("string");
    expect(schema.properties.tags).toMatchObject({ type: "array", items: { type: "string" } });
  });

  it("clips a long caption and keeps at most 12 tags", async () => {
    const tags = Array.from({ length: 20 }, (_, i) => `tag${i}`);
    replies.push(modelSays(JSON.stringify({ caption: "word ".repeat(80), tags })));

    const result = await provider().describe(INPUT);

    expect(result.caption.length).toBeLessThanOrEqual(200);
    expect(result.caption.endsWith("…")).toBe(true);
    expect(result.tags).toEqual(tags.slice(0, 12));
  });

  it("treats a reply that is not JSON as a transient malformed reply", async () => {
    replies.push(modelSays("Sure! Here is a caption: a dog on a beach"));
    const err = await failure(provider().describe(INPUT));
    expect(err.kind).toBe("transient");
    expect(err.message).toBe("Gemini returned a malformed reply");
  });

  it("treats JSON of the wrong shape as a transient malformed reply", async () => {
    replies.push(modelSays(JSON.stringify({ caption: "A dog.", tags: [] })));
    replies.push(modelSays(JSON.stringify({ description: "A dog." })));
    for (let i = 0; i < 2; i++) {
      const err = await failure(provider().describe(INPUT));
      expect(err.kind).toBe("transient");
      expect(err.message).toMatch(/malformed/);
    }
  });

  it("treats an HTTP 200 whose body is not JSON as a transient malformed reply", async () => {
    replies.push({ status: 200, text: "<html>proxy says hi</html>" });
    const err = await failure(provider().describe(INPUT));
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/malformed/);
  });

  it("maps a 429 with RetryInfo to rate_limited with that delay, without SDK retries", async () => {
    replies.push({
      status: 429,
      json: {
        error: {
          code: 429,
          status: "RESOURCE_EXHAUSTED",
          message: "You exceeded your current quota. Please retry in 7s.",
          details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" }],
        },
      },
    });
    const err = await failure(provider().describe(INPUT));
    expect(err.kind).toBe("rate_limited");
    expect(err.retryAfterMs).toBe(7000);
    expect(err.retryable).toBe(true);
    expect(requests).toHaveLength(1); // the worker, not the SDK, decides when to retry
  });

  it("maps a 429 for an exhausted daily quota to quota_exhausted", async () => {
    replies.push({
      status: 429,
      json: {
        error: {
          code: 429,
          status: "RESOURCE_EXHAUSTED",
          message: "You exceeded your current quota, please check your plan and billing details.",
          details: [
            {
              "@type": "type.googleapis.com/google.rpc.QuotaFailure",
              violations: [
                {
                  quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                  quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                },
              ],
            },
            { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "21s" },
          ],
        },
      },
    });
    const err = await failure(provider().describe(INPUT));
    expect(err.kind).toBe("quota_exhausted");
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/quota/i);
    expect(requests).toHaveLength(1);
  });

  it("reports a 500 as transient, and the next call can succeed", async () => {
    replies.push({ status: 500, json: { error: { code: 500, status: "INTERNAL", message: "An internal error has occurred." } } });
    replies.push(modelSays(JSON.stringify({ caption: "A red kite.", tags: ["kite"] })));
    const gemini = provider();

    const err = await failure(gemini.describe(INPUT));
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/HTTP 500/);
    expect(requests).toHaveLength(1); // no silent SDK retry

    await expect(gemini.describe(INPUT)).resolves.toMatchObject({ caption: "A red kite.", tags: ["kite"] });
    expect(requests).toHaveLength(2);
  });

  it("reports a rejected key as permanent without ever repeating the key", async () => {
    // A stub that echoes the key, as a misbehaving proxy might.
    replies.push({
      status: 401,
      json: { error: { code: 401, status: "UNAUTHENTICATED", message: `API key ${API_KEY} is not valid.` } },
    });
    const err = await failure(provider().describe(INPUT));
    expect(err.kind).toBe("permanent");
    expect(err.message).toMatch(/^Gemini rejected the API key/);
    expect(err.message).not.toContain(API_KEY);
    expect(String(err.stack)).not.toContain(API_KEY);
    // The chain's record of why Gemini was passed over (a job's provider notes) neither.
    expect(JSON.stringify((err as AiError & { skipped?: unknown }).skipped)).not.toContain(API_KEY);
  });

  it("recognises Google's 400 API_KEY_INVALID as a rejected key", async () => {
    replies.push({
      status: 400,
      json: {
        error: {
          code: 400,
          status: "INVALID_ARGUMENT",
          message: "API key not valid. Please pass a valid API key.",
          details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }],
        },
      },
    });
    const err = await failure(provider().describe(INPUT));
    expect(err.kind).toBe("permanent");
    expect(err.message).toMatch(/^Gemini rejected the API key/);
  });

  it("reports an unknown model as permanent", async () => {
    replies.push({
      status: 404,
      json: { error: { code: 404, status: "NOT_FOUND", message: `models/${MODEL} is not found for API version v1beta` } },
    });
    const err = await failure(provider().describe(INPUT));
    expect(err.kind).toBe("permanent");
    expect(err.message).toMatch(/model/);
  });

  it("reports a safety block as permanent: asking again gets the same answer", async () => {
    replies.push({ status: 200, json: { promptFeedback: { blockReason: "SAFETY" } } });
    const err = await failure(provider().describe(INPUT));
    expect(err.kind).toBe("permanent");
    expect(err.message).toMatch(/declined/);
  });

  it("gives up after timeoutMs when the server never answers, as a transient error", async () => {
    replies.push("hang");
    const started = Date.now();
    const err = await failure(provider(300).describe(INPUT));
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/did not answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(requests).toHaveLength(1);
  });

  it("stops when the caller aborts, as a transient error", async () => {
    replies.push("hang");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = await failure(provider().describe(INPUT, controller.signal));
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/cancelled/);
  });

  it("reports an unreachable server as transient", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const gemini = provider(2_000, { url: `http://127.0.0.1:${port}` });
    const err = await failure(gemini.describe(INPUT));
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/Could not reach Gemini/);
  });
});

describe("with local after Gemini", () => {
  it("describes locally a photo Gemini refused: another attempt would be refused too", async () => {
    replies.push({ status: 200, json: { promptFeedback: { blockReason: "SAFETY" } } });
    const passedOver: Skip[][] = [];
    const result = await provider(5_000, { local: true, onPassedOver: (s) => passedOver.push(s) }).describe(INPUT);
    expect(result.provider).toBe("local");
    // The worker logs why the caption is a local one.
    expect(passedOver).toEqual([[expect.objectContaining({ provider: "gemini", kind: "permanent", reason: expect.stringMatching(/declined/) })]]);
    expect(result.caption.length).toBeGreaterThan(0);
    expect(requests).toHaveLength(1);
  });

  it("waits for a rate-limited or failing Gemini rather than keep a local caption for good", async () => {
    replies.push({
      status: 429,
      json: { error: { code: 429, status: "RESOURCE_EXHAUSTED", message: "Slow down.", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "2s" }] } },
    });
    const limited = await failure(provider(5_000, { local: true }).describe(INPUT));
    expect(limited).toMatchObject({ kind: "rate_limited", retryAfterMs: 2_000 });

    replies.push({ status: 500, json: { error: { code: 500, status: "INTERNAL", message: "An internal error has occurred." } } });
    const failed = await failure(provider(5_000, { local: true }).describe(INPUT));
    expect(failed.kind).toBe("transient");
    expect(requests).toHaveLength(2);
  });
});
