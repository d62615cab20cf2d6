// Stand-ins for the three AI APIs on 127.0.0.1, for tests that run the real SDKs against
// them: Gemini generateContent, OpenAI /v1/chat/completions, Anthropic /v1/messages. Each
// keeps a request log (arrival time, body, whether the client closed the connection before
// an answer) and counts requests in flight, so tests can assert what the provider saw.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type StubKind = "gemini" | "openai" | "anthropic";

export interface StubRequest {
  /** Date.now() when the request (headers and body) had arrived. */
  at: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (the raw text if it was not JSON); tests cast it to the API's shape. */
  body: unknown;
  /** The client closed the connection before the stub answered (abort, timeout). */
  aborted: boolean;
  /** When the stub answered or saw the connection close. */
  endedAt?: number;
}

export interface StubAnswer {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
  /** Answer this long after the request arrived. */
  delayMs?: number;
}

/** An answer, or "hang": never answer, so the client's timeout or abort must end it. */
export type StubReply = StubAnswer | "hang";

export interface AiStub {
  kind: StubKind;
  /** What to give the SDK as its base URL. */
  baseUrl: string;
  requests: StubRequest[];
  /** Queue replies, used in order; when none is queued, `fallback` answers. */
  reply(...replies: StubReply[]): void;
  fallback: (req: StubRequest) => StubReply;
  inFlight: number;
  maxInFlight: number;
  /** Resolves when some request's connection closes before an answer. */
  nextAbort(): Promise<StubRequest>;
  reset(): void;
  close(): Promise<void>;
}

export async function startAiStub(kind: StubKind): Promise<AiStub> {
  let queue: StubReply[] = [];
  let abortWaiters: Array<(r: StubRequest) => void> = [];
  const stub: AiStub = {
    kind,
    baseUrl: "",
    requests: [],
    reply: (...replies) => queue.push(...replies),
    fallback: () => success(kind, "ok"),
    inFlight: 0,
    maxInFlight: 0,
    nextAbort: () => new Promise((resolve) => abortWaiters.push(resolve)),
    reset() {
      queue = [];
      stub.requests = [];
      stub.maxInFlight = stub.inFlight;
      stub.fallback = () => success(kind, "ok");
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const logged: StubRequest = {
        at: Date.now(),
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: raw ? safeJson(raw) : null,
        aborted: false,
      };
      stub.requests.push(logged);
      stub.inFlight += 1;
      stub.maxInFlight = Math.max(stub.maxInFlight, stub.inFlight);
      let done = false;
      const finish = (aborted: boolean) => {
        if (done) return;
        done = true;
        stub.inFlight -= 1;
        logged.endedAt = Date.now();
        logged.aborted = aborted;
        if (aborted) {
          const waiters = abortWaiters;
          abortWaiters = [];
          for (const w of waiters) w(logged);
        }
      };
      res.on("close", () => finish(!res.writableFinished));
      const reply = queue.shift() ?? stub.fallback(logged);
      if (reply === "hang") return;
      const send = () => {
        if (done) return;
        const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? "");
        res.writeHead(reply.status, {
          "content-type": reply.json !== undefined ? "application/json" : "text/plain",
          ...reply.headers,
        });
        res.end(body);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The OpenAI SDK appends /chat/completions to its base URL; the others add their own /v1….
  stub.baseUrl = kind === "openai" ? `${origin}/v1` : origin;
  return stub;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export interface StubUsage {
  input: number;
  output: number;
  /** Gemini only: thinking tokens, billed as output. */
  thoughts?: number;
}

/** A successful answer in each API's shape, with token usage. */
export function success(kind: StubKind, text: string, usage: StubUsage = { input: 10, output: 5 }, model?: string): StubAnswer {
  switch (kind) {
    case "gemini":
      return {
        status: 200,
        json: {
          candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP" }],
          usageMetadata: {
            promptTokenCount: usage.input,
            candidatesTokenCount: usage.output,
            ...(usage.thoughts ? { thoughtsTokenCount: usage.thoughts } : {}),
            totalTokenCount: usage.input + usage.output + (usage.thoughts ?? 0),
          },
          ...(model ? { modelVersion: model } : {}),
        },
      };
    case "openai":
      return {
        status: 200,
        json: {
          id: "chatcmpl-stub",
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: model ?? "gpt-4.1-mini-2025-04-14",
          choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, finish_reason: "stop", logprobs: null }],
          usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
        },
      };
    case "anthropic":
      return {
        status: 200,
        json: {
          id: "msg_stub",
          type: "message",
          role: "assistant",
          model: model ?? "claude-haiku-4-5-20251001",
          content: [{ type: "text", text }],
          stop_reason: "end_turn",
          stop_sequence: null,
          usage: { input_tokens: usage.input, output_tokens: usage.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      };
  }
}

/** "Slow down": Gemini's RetryInfo, OpenAI's and Anthropic's retry-after header. */
export function rateLimited(kind: StubKind, delaySeconds: number): StubAnswer {
  switch (kind) {
    case "gemini":
      return {
        status: 429,
        json: {
          error: {
            code: 429,
            status: "RESOURCE_EXHAUSTED",
            message: `You exceeded your current quota. Please retry in ${delaySeconds}s.`,
            details: [
              {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                violations: [{ quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" }],
              },
              { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${delaySeconds}s` },
            ],
          },
        },
      };
    case "openai":
      return {
        status: 429,
        headers: { "retry-after": String(delaySeconds) },
        json: { error: { message: "Rate limit reached for requests per minute.", type: "requests", code: "rate_limit_exceeded" } },
      };
    case "anthropic":
      return {
        status: 429,
        headers: { "retry-after": String(delaySeconds) },
        json: { type: "error", error: { type: "rate_limit_error", message: "Number of requests has exceeded your rate limit." } },
      };
  }
}

/** "Nothing left": a daily quota or an empty balance. */
export function quotaExhausted(kind: StubKind): StubAnswer {
  switch (kind) {
    case "gemini":
      return {
        status: 429,
        json: {
          error: {
            code: 429,
            status: "RESOURCE_EXHAUSTED",
            message: "You exceeded your current quota, please check your plan and billing details.",
            details: [
              {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                violations: [{ quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier" }],
              },
              { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "21s" },
            ],
          },
        },
      };
    case "openai":
      return {
        status: 429,
        json: { error: { message: "You exceeded your current quota, please check your plan and billing details.", type: "insufficient_quota", code: "insufficient_quota" } },
      };
    case "anthropic":
      return {
        status: 400,
        json: { type: "error", error: { type: "invalid_request_error", message: "Your credit balance is too low to access the Anthropic API." } },
      };
  }
}

/** An outage: 503 in each API's error shape. */
export function unavailable(kind: StubKind): StubAnswer {
  switch (kind) {
    case "gemini":
      return { status: 503, json: { error: { code: 503, status: "UNAVAILABLE", message: "The model is overloaded. Please try again later." } } };
    case "openai":
      return { status: 503, json: { error: { message: "The server is overloaded.", type: "server_error", code: null } } };
    case "anthropic":
      return { status: 503, json: { type: "error", error: { type: "api_error", message: "Service unavailable." } } };
  }
}

/** A request the provider will never accept as it is. */
export function badRequest(kind: StubKind, message = "Invalid request: the schema is not supported."): StubAnswer {
  switch (kind) {
    case "gemini":
      return { status: 400, json: { error: { code: 400, status: "INVALID_ARGUMENT", message } } };
    case "openai":
      return { status: 400, json: { error: { message, type: "invalid_request_error", code: null } } };
    case "anthropic":
      return { status: 400, json: { type: "error", error: { type: "invalid_request_error", message } } };
  }
}
