// Stand-ins for the three AI APIs on 127.0.0.1, for tests that run the real SDKs against
// them: Gemini generateContent, OpenAI /v1/chat/completions, Anthropic /v1/messages. Each
// keeps a request log (arrival time, body, whether the client closed the connection before
// an answer) and counts requests in flight, so tests can assert what the provider saw.
// The Gemini stub also speaks a minimal Files API (the SDK's resumable upload, get, delete;
// see GeminiFilesStub) and refuses a request that refers to a file it does not hold ACTIVE,
// answers text embeddings (batchEmbedContents: deterministic bag-of-words vectors, see
// stubEmbedding) and speech (generateContent asking for AUDIO: a PCM tone, see stubSpeech).
import { randomBytes } from "node:crypto";
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
  /** Bytes of the body as sent (uploaded file data is logged only by size, with body null). */
  bytes: number;
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
  /** Gemini only: the Files API's state. */
  files: GeminiFilesStub;
  /**
   * Gemini only: the answer to a batchEmbedContents request (its texts, in order). Default:
   * one stubEmbedding per text. Answered apart from `reply` queues, so queued text replies
   * are not used up by embeddings.
   */
  embed: (texts: string[], req: StubRequest) => StubReply;
  /** Gemini only: the answer to a generateContent request asking for AUDIO. Default: stubSpeech of its text. */
  speech: (text: string, req: StubRequest) => StubReply;
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
    files: newFilesState(),
    embed: (texts) => embeddingAnswer(texts),
    speech: (text) => speechAnswer(text),
    reset() {
      queue = [];
      stub.requests = [];
      stub.maxInFlight = stub.inFlight;
      stub.fallback = () => success(kind, "ok");
      stub.files = newFilesState();
      stub.embed = (texts) => embeddingAnswer(texts);
      stub.speech = (text) => speechAnswer(text);
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
      const data = Buffer.concat(chunks);
      const fileData = kind === "gemini" && isUploadData(req);
      const raw = fileData ? "" : data.toString("utf8");
      const logged: StubRequest = {
        at: Date.now(),
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: raw ? safeJson(raw) : null,
        bytes: data.length,
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
      const filesReply = kind === "gemini" ? answerFiles(stub.files, logged, data, origin) : null;
      const mediaReply = kind === "gemini" && !filesReply ? answerMedia(stub, logged) : null;
      const reply = filesReply ?? mediaReply ?? queue.shift() ?? stub.fallback(logged);
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
  let origin = "";
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The OpenAI SDK appends /chat/completions to its base URL; the others add their own /v1….
  stub.baseUrl = kind === "openai" ? `${origin}/v1` : origin;
  return stub;
}

// --- Gemini Files API ------------------------------------------------------------------

export interface StubFile {
  /** "files/<id>" */
  name: string;
  uri: string;
  mimeType: string;
  displayName?: string;
  data: Buffer;
  state: "PROCESSING" | "ACTIVE";
  /** GETs answered so far. */
  polls: number;
}

/**
 * The SDK's resumable upload: POST /upload/v1beta/files (X-Goog-Upload-Command: start,
 * the file's metadata as JSON) answers an upload URL in X-Goog-Upload-URL; the bytes are
 * POSTed there in pieces of up to 8 MB with X-Goog-Upload-Offset and the command
 * "upload", the last one "upload, finalize", answered with X-Goog-Upload-Status: final
 * and {file}. GET /v1beta/files/<id> answers the file (PROCESSING for the first
 * `processingPolls` GETs, then ACTIVE), DELETE removes it.
 */
export interface GeminiFilesStub {
  /** Files held now, by name. */
  live: Map<string, StubFile>;
  /** Every file whose upload was finalised, in order. */
  uploaded: StubFile[];
  /** Names deleted, in order. */
  deleted: string[];
  /** GETs answered PROCESSING before a file is ACTIVE. Default 1. */
  processingPolls: number;
  /** Uploads started and not finalised, by upload id. */
  pending: Map<string, { name: string; mimeType: string; displayName?: string; size: number; received: Buffer[]; offset: number }>;
}

function newFilesState(): GeminiFilesStub {
  return { live: new Map(), uploaded: [], deleted: [], processingPolls: 1, pending: new Map() };
}

function isUploadData(req: http.IncomingMessage): boolean {
  return (req.url ?? "").startsWith("/upload/") && String(req.headers["x-goog-upload-command"] ?? "").includes("upload");
}

function fileJson(f: StubFile, origin: string) {
  return {
    name: f.name,
    displayName: f.displayName,
    mimeType: f.mimeType,
    sizeBytes: String(f.data.length),
    createTime: new Date().toISOString(),
    expirationTime: new Date(Date.now() + 48 * 3600_000).toISOString(),
    uri: `${origin}/v1beta/${f.name}`,
    state: f.state,
    source: "UPLOADED",
  };
}

const googleError = (status: number, code: string, message: string): StubAnswer => ({ status, json: { error: { code: status, status: code, message } } });

/** The Files API's answer to a request, or null when it is not a Files API request. */
function answerFiles(files: GeminiFilesStub, req: StubRequest, data: Buffer, origin: string): StubAnswer | null {
  const url = new URL(req.path, origin);
  const command = String(req.headers["x-goog-upload-command"] ?? "");
  if (url.pathname === "/upload/v1beta/files" && req.method === "POST" && command === "start") {
    if (req.headers["x-goog-upload-protocol"] !== "resumable") return googleError(400, "INVALID_ARGUMENT", "Only resumable uploads are supported.");
    const meta = ((req.body as { file?: { name?: string; mimeType?: string; displayName?: string } } | null)?.file ?? {});
    const id = randomBytes(8).toString("hex");
    files.pending.set(id, {
      name: meta.name ?? `files/${randomBytes(6).toString("hex")}`,
      mimeType: meta.mimeType ?? String(req.headers["x-goog-upload-header-content-type"] ?? ""),
      displayName: meta.displayName,
      size: Number(req.headers["x-goog-upload-header-content-length"]),
      received: [],
      offset: 0,
    });
    return { status: 200, json: {}, headers: { "x-goog-upload-url": `${origin}/upload/v1beta/files?upload_id=${id}&upload_protocol=resumable`, "x-goog-upload-status": "active" } };
  }
  if (url.pathname === "/upload/v1beta/files" && req.method === "POST" && command.startsWith("upload")) {
    const upload = files.pending.get(url.searchParams.get("upload_id") ?? "");
    if (!upload) return googleError(404, "NOT_FOUND", "No such upload.");
    if (Number(req.headers["x-goog-upload-offset"]) !== upload.offset) return googleError(400, "INVALID_ARGUMENT", "Wrong upload offset.");
    upload.received.push(data);
    upload.offset += data.length;
    if (!command.includes("finalize")) return { status: 200, text: "", headers: { "x-goog-upload-status": "active" } };
    files.pending.delete(url.searchParams.get("upload_id") ?? "");
    if (upload.offset !== upload.size) return googleError(400, "INVALID_ARGUMENT", `Declared ${upload.size} bytes, received ${upload.offset}.`);
    const file: StubFile = {
      name: upload.name,
      uri: `${origin}/v1beta/${upload.name}`,
      mimeType: upload.mimeType,
      displayName: upload.displayName,
      data: Buffer.concat(upload.received),
      state: files.processingPolls > 0 ? "PROCESSING" : "ACTIVE",
      polls: 0,
    };
    files.live.set(file.name, file);
    files.uploaded.push(file);
    return { status: 200, json: { file: fileJson(file, origin) }, headers: { "x-goog-upload-status": "final" } };
  }
  const named = /^\/v1beta\/(files\/[a-z0-9-]+)$/.exec(url.pathname);
  if (named && (req.method === "GET" || req.method === "DELETE")) {
    const file = files.live.get(named[1]);
    if (!file) return googleError(404, "NOT_FOUND", `File ${named[1]} does not exist.`);
    if (req.method === "DELETE") {
      files.live.delete(file.name);
      files.deleted.push(file.name);
      return { status: 200, json: {} };
    }
    file.polls += 1;
    if (file.polls > files.processingPolls) file.state = "ACTIVE";
    return { status: 200, json: fileJson(file, origin) };
  }
  // generateContent may only refer to files held and ACTIVE, as Gemini's does.
  for (const part of geminiParts(req)) {
    const uri = part.fileData?.fileUri;
    if (!uri) continue;
    const file = [...files.live.values()].find((f) => f.uri === uri);
    if (!file) return googleError(403, "PERMISSION_DENIED", `You do not have permission to access the File ${uri} or it may not exist.`);
    if (file.state !== "ACTIVE") return googleError(400, "FAILED_PRECONDITION", `The File ${file.name} is not in an ACTIVE state and usage is not allowed.`);
  }
  return null;
}

// --- Gemini embeddings and speech -------------------------------------------------------

/** The texts of a batchEmbedContents request (`{requests: [{model, content: {parts}}]}`), or null for other requests. */
export function embedTexts(req: StubRequest): string[] | null {
  if (!/\/models\/[^/:]+:batchEmbedContents$/.test(req.path.split("?")[0])) return null;
  const body = req.body as { requests?: { content?: { parts?: GeminiPart[] } }[] } | null;
  return (body?.requests ?? []).map((r) => (r.content?.parts ?? []).map((p) => p.text ?? "").join(""));
}

/** The speech request a generateContent call made (its text, model and voice), or null when it did not ask for AUDIO. */
export function speechRequest(req: StubRequest): { model: string; text: string; voice?: string } | null {
  const m = /\/models\/([^/:]+):generateContent/.exec(req.path);
  if (!m) return null;
  const config = (req.body as { generationConfig?: { responseModalities?: string[]; speechConfig?: { voiceConfig?: { prebuiltVoiceConfig?: { voiceName?: string } } } } })
    .generationConfig;
  if (!config?.responseModalities?.some((x) => x.toUpperCase() === "AUDIO")) return null;
  return {
    model: m[1],
    text: geminiParts(req).map((p) => p.text ?? "").join(""),
    voice: config.speechConfig?.voiceConfig?.prebuiltVoiceConfig?.voiceName,
  };
}

function answerMedia(stub: AiStub, req: StubRequest): StubReply | null {
  const texts = embedTexts(req);
  if (texts) return stub.embed(texts, req);
  const speech = speechRequest(req);
  if (speech) return stub.speech(speech.text, req);
  return null;
}

/** Vector length of stubEmbedding. */
export const STUB_EMBEDDING_DIMENSIONS = 256;

/**
 * A deterministic unit vector for a text: its lower-cased words of 4 letters or more (so
 * "the", "and" do not dominate) hashed into 256 buckets. Same text → same vector (cosine 1);
 * texts on the same subject → closer than texts on different ones.
 */
export function stubEmbedding(text: string): number[] {
  const v = new Array<number>(STUB_EMBEDDING_DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]{4,}/gu) ?? []) {
    let h = 2166136261;
    for (const ch of word) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
    v[h % STUB_EMBEDDING_DIMENSIONS] += 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

/** Gemini's batchEmbedContents answer: `{embeddings: [{values}]}`, one per text, in order. */
export function embeddingAnswer(texts: string[]): StubAnswer {
  return { status: 200, json: { embeddings: texts.map((t) => ({ values: stubEmbedding(t) })) } };
}

/** Sample rate of the stub's speech, as Gemini TTS answers: 16-bit mono PCM at 24 kHz. */
export const STUB_SPEECH_RATE = 24_000;

/** A 440 Hz tone as raw s16le PCM at 24 kHz: what the stub "says", `seconds` long. */
export function stubTone(seconds: number): Buffer {
  const samples = Math.round(seconds * STUB_SPEECH_RATE);
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / STUB_SPEECH_RATE)), i * 2);
  return pcm;
}

/**
 * Gemini TTS's answer: the audio as one inline part, base64 PCM with its format in the MIME
 * type (`audio/L16;codec=pcm;rate=24000`), and usage (audio is billed as output tokens, 32 a
 * second here). By default the tone lasts 1 s plus 0.1 s per word of `text`, so longer
 * scripts sound longer.
 */
export function speechAnswer(text: string, seconds?: number): StubAnswer {
  const words = text.split(/\s+/).filter(Boolean).length;
  seconds ??= 1 + words / 10;
  return {
    status: 200,
    json: {
      candidates: [
        {
          content: { role: "model", parts: [{ inlineData: { mimeType: `audio/L16;codec=pcm;rate=${STUB_SPEECH_RATE}`, data: stubTone(seconds).toString("base64") } }] },
          finishReason: "STOP",
        },
      ],
      usageMetadata: { promptTokenCount: words, candidatesTokenCount: Math.round(seconds * 32), totalTokenCount: words + Math.round(seconds * 32) },
      modelVersion: "gemini-2.5-flash-preview-tts",
    },
  };
}

interface GeminiPart {
  text?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { fileUri: string; mimeType: string };
}

function geminiParts(req: StubRequest): GeminiPart[] {
  const body = req.body as { contents?: { parts?: GeminiPart[] }[] } | null;
  return (body && typeof body === "object" ? (body.contents ?? []) : []).flatMap((c) => c.parts ?? []);
}

/** What a generateContent request carried: its text, inline audio, file references. */
export interface GeminiContentRequest {
  model: string;
  prompt: string;
  inline: { mimeType: string; data: Buffer }[];
  files: { fileUri: string; mimeType: string }[];
  responseSchema?: unknown;
}

/** The parts of a logged request, or null when it was not a generateContent call. */
export function geminiContent(req: StubRequest): GeminiContentRequest | null {
  const m = /\/models\/([^/:]+):generateContent/.exec(req.path);
  if (!m) return null;
  const parts = geminiParts(req);
  const config = (req.body as { generationConfig?: { responseSchema?: unknown } }).generationConfig;
  return {
    model: m[1],
    prompt: parts.map((p) => p.text ?? "").join("\n"),
    inline: parts.filter((p) => p.inlineData).map((p) => ({ mimeType: p.inlineData!.mimeType, data: Buffer.from(p.inlineData!.data, "base64") })),
    files: parts.filter((p) => p.fileData).map((p) => p.fileData!),
    responseSchema: config?.responseSchema,
  };
}

/** A successful Gemini answer whose text is `value` as JSON (a structured reply). */
export function geminiJson(value: unknown, usage?: StubUsage): StubAnswer {
  return success("gemini", JSON.stringify(value), usage);
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
