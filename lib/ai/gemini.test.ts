// Runs the real @google/genai SDK against a stub Gemini endpoint on 127.0.0.1, so the
// request we send and the errors the SDK raises are the real ones, with no network.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AiError } from "./errors";
import { createGeminiProvider } from "./gemini";
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

beforeAll(async () => {
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
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
  replies = [];
});

function provider(timeoutMs = 5_000) {
  return createGeminiProvider({ apiKey: API_KEY, model: MODEL, baseUrl, timeoutMs });
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

describe("Gemini provider against a stub server", () => {
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
    const schema = req.body.generationConfig.responseSchema;
    expect(schema.type).toBe("OBJECT");
    expect(schema.required).toEqual(["caption", "tags"]);
    expect(schema.properties.caption.type).toBe("STRING");
    expect(schema.properties.tags).toMatchObject({ type: "ARRAY", items: { type: "STRING" } });
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
    const cause = err.cause as Error;
    expect(`${cause.message} ${cause.stack}`).not.toContain(API_KEY);
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

    const gemini = createGeminiProvider({ apiKey: API_KEY, model: MODEL, baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2_000 });
    const err = await failure(gemini.describe(INPUT));
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/Could not reach Gemini/);
  });
});
