// Turns whatever the Gemini SDK (or our own reply check) threw into an AiError whose
// kind tells the worker what to do: retry, wait, or give up. Pure and synchronous so
// every branch can be unit-tested without a server.
import { ApiError } from "@google/genai";
import { AiError, MalformedReplyError } from "./errors";

/** Used when a 429 carries no google.rpc.RetryInfo. */
export const DEFAULT_RATE_LIMIT_DELAY_MS = 30_000;

export const MALFORMED_REPLY_MESSAGE = "Gemini returned a malformed reply";

export { MalformedReplyError } from "./errors";

export interface ClassifyContext {
  /** Redacted from every message, in case a server or proxy echoes it back. */
  apiKey?: string;
  /** Only used to word timeout messages. */
  timeoutMs?: number;
  /** Clock for the quota-reset hint; injectable for tests. */
  now?: number;
}

/** The JSON error body Google APIs send: {"error":{code,status,message,details}}. */
interface GoogleErrorBody {
  code?: number;
  status?: string;
  message?: string;
  details?: Array<Record<string, unknown>>;
}

export function classifyGeminiError(err: unknown, ctx: ClassifyContext = {}): AiError {
  if (err instanceof AiError) return err;
  const redact = (text: string) => redactSecret(text, ctx.apiKey);
  const opts = { cause: safeCause(err, ctx.apiKey) };

  if (err instanceof MalformedReplyError) {
    return new AiError("transient", MALFORMED_REPLY_MESSAGE, undefined, opts);
  }
  if (err instanceof ApiError || hasHttpStatus(err)) {
    return classifyHttpError(err.status, parseErrorBody(err.message), redact, ctx, opts);
  }
  if (isAbort(err)) {
    const within = ctx.timeoutMs ? ` within ${ctx.timeoutMs} ms` : "";
    return new AiError("transient", `Gemini did not answer${within}`, undefined, opts);
  }
  // The SDK calls response.json() on a 200; a body that is not JSON surfaces here.
  if (err instanceof SyntaxError) {
    return new AiError("transient", MALFORMED_REPLY_MESSAGE, undefined, opts);
  }
  const network = networkCode(err);
  if (network) {
    return new AiError("transient", `Could not reach Gemini (${network})`, undefined, opts);
  }
  // Unknown failures are retried: the worker's attempt limit bounds the cost, whereas
  // calling them permanent would fail photos over what may be a one-off hiccup.
  const message = err instanceof Error ? err.message : String(err);
  return new AiError("transient", `Gemini call failed: ${clip(redact(message))}`, undefined, opts);
}

function classifyHttpError(
  status: number,
  body: GoogleErrorBody,
  redact: (text: string) => string,
  ctx: ClassifyContext,
  opts: { cause: unknown },
): AiError {
  const serverSays = body.message ? `: ${clip(redact(body.message))}` : "";

  if (status === 429) {
    if (isQuotaExhausted(body)) {
      return new AiError(
        "quota_exhausted",
        `Gemini quota is used up for today${serverSays}`,
        msUntilPacificMidnight(ctx.now ?? Date.now()),
        opts,
      );
    }
    const delay = retryDelayMs(body) ?? DEFAULT_RATE_LIMIT_DELAY_MS;
    return new AiError("rate_limited", `Gemini is rate limiting requests${serverSays}`, delay, opts);
  }
  if (status === 408 || status === 499 || status >= 500) {
    return new AiError("transient", `Gemini is unavailable (HTTP ${status})${serverSays}`, undefined, opts);
  }
  // Google answers a bad key with 400 API_KEY_INVALID, not 401, so look at the reason too.
  if (status === 401 || status === 403 || errorReason(body) === "API_KEY_INVALID") {
    return new AiError("permanent", `Gemini rejected the API key (HTTP ${status})${serverSays}`, undefined, opts);
  }
  if (status === 404) {
    return new AiError("permanent", `Gemini does not know this model (HTTP 404)${serverSays}`, undefined, opts);
  }
  return new AiError("permanent", `Gemini rejected the request (HTTP ${status})${serverSays}`, undefined, opts);
}

/**
 * A 429 is either "slow down" (per-minute limits; waiting helps) or "no more today"
 * (per-day limits, or a model with no free quota at all: "limit: 0"; waiting seconds
 * does not help). Both carry the same status and often the same RetryInfo, so the only
 * signal is the QuotaFailure violation ids and the message text.
 */
function isQuotaExhausted(body: GoogleErrorBody): boolean {
  const texts = [body.message ?? ""];
  for (const detail of body.details ?? []) {
    if (!String(detail["@type"] ?? "").endsWith("google.rpc.QuotaFailure")) continue;
    const violations = Array.isArray(detail.violations) ? detail.violations : [];
    for (const v of violations as Array<Record<string, unknown>>) {
      texts.push(String(v.quotaId ?? ""), String(v.quotaMetric ?? ""), String(v.description ?? ""));
    }
  }
  const all = texts.join("\n");
  return /per[\s_-]?day|daily/i.test(all) || /\blimit:\s*0\b/.test(all);
}

/** google.rpc.RetryInfo.retryDelay is a protobuf Duration in JSON form: "7s", "1.5s". */
function retryDelayMs(body: GoogleErrorBody): number | undefined {
  for (const detail of body.details ?? []) {
    if (!String(detail["@type"] ?? "").endsWith("google.rpc.RetryInfo")) continue;
    const match = /^(\d+(?:\.\d+)?)s$/.exec(String(detail.retryDelay ?? "").trim());
    if (match) return Math.ceil(Number(match[1]) * 1000);
  }
  return undefined;
}

function errorReason(body: GoogleErrorBody): string | undefined {
  for (const detail of body.details ?? []) {
    if (String(detail["@type"] ?? "").endsWith("google.rpc.ErrorInfo")) return String(detail.reason ?? "");
  }
  return undefined;
}

/**
 * The SDK's ApiError.message is the JSON-stringified response body (or, for non-JSON
 * bodies, {"error":{"message":<text>}}). Anything else is kept as a plain message.
 */
function parseErrorBody(message: string): GoogleErrorBody {
  try {
    const parsed: unknown = JSON.parse(message);
    const inner = (parsed as { error?: unknown })?.error;
    if (inner && typeof inner === "object") {
      const e = inner as GoogleErrorBody;
      return {
        code: typeof e.code === "number" ? e.code : undefined,
        status: typeof e.status === "string" ? e.status : undefined,
        message: typeof e.message === "string" ? e.message : undefined,
        details: Array.isArray(e.details) ? e.details.filter((d) => d && typeof d === "object") : [],
      };
    }
  } catch {
    // not JSON: fall through
  }
  return { message, details: [] };
}

/**
 * Daily Gemini API quotas reset at midnight Pacific time; this is the hint a worker can
 * use to pause instead of burning attempts. DST changes make it off by at most an hour.
 */
export function msUntilPacificMidnight(now: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: "America/Los_Angeles",
    hourCycle: "h23",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(now));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const elapsed = ((get("hour") * 60 + get("minute")) * 60 + get("second")) * 1000 + (now % 1000);
  return 24 * 60 * 60 * 1000 - elapsed;
}

function hasHttpStatus(err: unknown): err is Error & { status: number } {
  const status: unknown = err instanceof Error ? (err as Error & { status?: unknown }).status : undefined;
  return typeof status === "number" && status >= 400;
}

function isAbort(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === "AbortError" || name === "TimeoutError";
}

/** Node's fetch fails with TypeError("fetch failed") and the socket error as cause. */
function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
  }
  if (err instanceof TypeError && /fetch failed|network/i.test(err.message)) return "network error";
  return undefined;
}

/**
 * The original error is kept as `cause` for logs, unless its message carries the key;
 * then a redacted stand-in is kept instead, since loggers print causes too.
 */
function safeCause(err: unknown, secret: string | undefined): unknown {
  if (!secret || !(err instanceof Error) || !err.message.includes(secret)) return err;
  const copy = new Error(redactSecret(err.message, secret));
  copy.name = err.name;
  return Object.assign(copy, { status: (err as { status?: unknown }).status });
}

function redactSecret(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("[redacted]") : text;
}

function clip(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
