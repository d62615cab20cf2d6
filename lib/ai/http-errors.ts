// Classification shared by the OpenAI-compatible and Anthropic providers: both SDKs raise
// an APIError with the HTTP status, the response headers and the server's message, so one
// table turns them into AiError kinds (Gemini has its own: its 429s carry RetryInfo).
import { AiError } from "./errors";
import { DEFAULT_RATE_LIMIT_DELAY_MS } from "./gemini-errors";

export interface HttpFailure {
  status: number;
  headers?: Headers | null;
  /** The server's own explanation, from the error body. */
  serverMessage?: string | null;
  /** A machine-readable code or type from the error body ("insufficient_quota", "overloaded_error"). */
  code?: string | null;
}

export interface LabelContext {
  /** How users know this provider: "OpenAI", "Anthropic", "the OpenAI-compatible server at api.groq.com". */
  label: string;
  /** Redacted from every message, in case a server or proxy echoes it back. */
  apiKey?: string;
  /** Clock for HTTP-date Retry-After values; injectable for tests. */
  now?: number;
}

export function classifyHttpFailure(failure: HttpFailure, ctx: LabelContext, cause: unknown): AiError {
  const { status } = failure;
  const said = failure.serverMessage ? `: ${clip(redact(failure.serverMessage, ctx.apiKey))}` : "";
  const opts = { cause: safeCause(cause, ctx.apiKey) };
  const wait = retryAfterMs(failure.headers, ctx.now);

  if (isQuotaExhausted(failure)) {
    return new AiError("quota_exhausted", `${cap(ctx.label)} has no quota or credit left${said}`, wait, opts);
  }
  if (status === 429) {
    return new AiError("rate_limited", `${cap(ctx.label)} is rate limiting requests${said}`, wait ?? DEFAULT_RATE_LIMIT_DELAY_MS, opts);
  }
  // 409 and 529 are what OpenAI (lock contention) and Anthropic (overloaded) ask to retry.
  if (status === 408 || status === 409 || status === 499 || status >= 500) {
    return new AiError("transient", `${cap(ctx.label)} is unavailable (HTTP ${status})${said}`, wait, opts);
  }
  if (status === 401 || status === 403) {
    return new AiError("permanent", `${cap(ctx.label)} rejected the API key (HTTP ${status})${said}`, undefined, opts);
  }
  if (status === 404) {
    return new AiError("permanent", `${cap(ctx.label)} does not know this model or endpoint (HTTP 404)${said}`, undefined, opts);
  }
  return new AiError("permanent", `${cap(ctx.label)} rejected the request (HTTP ${status})${said}`, undefined, opts);
}

/**
 * "Slow down" and "nothing left" share status 429 (OpenAI's insufficient_quota, Groq's
 * per-day limits) or come as 400/402 (Anthropic's "credit balance is too low"). Waiting
 * seconds helps only the first.
 */
function isQuotaExhausted({ status, serverMessage, code }: HttpFailure): boolean {
  if (status === 402) return true;
  if (code === "insufficient_quota" || code === "billing_error") return true;
  if (status !== 429 && status !== 400) return false;
  const text = serverMessage ?? "";
  if (status === 400) return /credit balance/i.test(text);
  return /per[\s_-]?day|daily|\((TPD|RPD)\)|insufficient[_ ]quota|check your plan and billing/i.test(text);
}

/** `retry-after-ms` (OpenAI's), else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | null | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get("retry-after-ms") ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const raw = headers?.get("retry-after")?.trim();
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Node's fetch fails with TypeError("fetch failed") and the socket error as cause. */
export function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
  }
  return undefined;
}

/** The cause is kept for logs unless its message carries the key; then a redacted copy. */
export function safeCause(err: unknown, secret: string | undefined): unknown {
  if (!secret || !(err instanceof Error) || !`${err.message}${err.stack ?? ""}`.includes(secret)) return err;
  const copy = new Error(redact(err.message, secret));
  copy.name = err.name;
  return Object.assign(copy, { status: (err as { status?: unknown }).status });
}

export function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("[redacted]") : text;
}

export function clip(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Labels may start in lower case ("the server at …"); sentences may not. */
export function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
