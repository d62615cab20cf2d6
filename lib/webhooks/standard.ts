// Outgoing webhooks signed per the Standard Webhooks spec (standardwebhooks.com), so a
// receiver can check them with any of its libraries: headers `webhook-id`,
// `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
// "id.timestamp.body">`, keyed by a secret shown to its owner once as `whsec_<base64>`.
import { createHmac, randomBytes } from "node:crypto";
import { InvalidInputError, RateLimitedError } from "@/lib/errors";
import { formatSeconds, parseRetryAfter, postJson, type PostAnswer, type PostOptions } from "./post";

export const WEBHOOK_SECRET_PREFIX = "whsec_";

/** The spec asks for 24–64 random bytes; 32 is what its reference implementations use. */
const SECRET_BYTES = 32;

/** When a 429 comes without a readable Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 30_000;

/** A new signing secret: `whsec_` + base64 of 32 random bytes. Show it once; store it. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(SECRET_BYTES).toString("base64");
}

/** The event being sent. Keep `id` and `timestamp` the same on every retry of one event. */
export interface WebhookEvent {
  /** Unique per event, stable across retries: receivers de-duplicate on it (e.g. "msg_job_123_completed"). */
  id: string;
  /** Dotted name, e.g. "job.completed", "episode.published". */
  type: string;
  /** When it happened (goes in the body; the signed header timestamp is the send time). */
  timestamp: Date;
}

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** The three Standard Webhooks headers for `body` as sent at `sentAt`. */
export function signWebhook(secret: string, id: string, sentAt: Date, body: string): SignedHeaders {
  const seconds = Math.floor(sentAt.getTime() / 1000);
  const signature = createHmac("sha256", secretKey(secret)).update(`${id}.${seconds}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": String(seconds), "webhook-signature": `v1,${signature}` };
}

/** The body the spec recommends: `{"type", "timestamp", "data"}`, serialised once. */
export function webhookBody(event: WebhookEvent, data: unknown): string {
  return JSON.stringify({ type: event.type, timestamp: event.timestamp.toISOString(), data });
}

export interface DeliveryResult {
  status: number;
  durationMs: number;
  webhookId: string;
}

/** One try, in the shape of a WebhookDelivery row, whatever its outcome. */
export interface DeliveryAttempt {
  /** The webhook-id. */
  messageId: string;
  /** The receiver's HTTP status; null when it could not be reached or did not answer. */
  status: number | null;
  ok: boolean;
  /** The sentence the thrown error carries; null when ok. */
  error: string | null;
  durationMs: number;
}

export interface DeliverOptions extends PostOptions {
  /** Called once per call before deliver() returns or throws, to record the attempt. */
  onAttempt?: (attempt: DeliveryAttempt) => void | Promise<void>;
  /** The send time to sign (tests); default now. */
  now?: () => Date;
}

/**
 * POSTs the signed event to `url` and says how it went:
 * - 2xx → the result (record it as a delivery attempt);
 * - 429 → RateLimitedError with the receiver's Retry-After;
 * - 5xx, 408, network failure, timeout → a plain Error: transient, retry with backoff;
 * - any other answer (4xx, a redirect) → InvalidInputError on `webhookUrl`: retrying
 *   cannot help until the owner fixes the URL or the receiver.
 * Messages never contain the URL or the secret. `onAttempt` sees every outcome except the
 * caller's own abort (a cancelled job is not a failed delivery).
 */
export async function deliver(
  url: string,
  event: WebhookEvent,
  data: unknown,
  secret: string,
  opts: DeliverOptions = {},
): Promise<DeliveryResult> {
  const body = webhookBody(event, data);
  const headers = signWebhook(secret, event.id, opts.now?.() ?? new Date(), body);
  const started = performance.now();
  let answer: PostAnswer | undefined;
  try {
    answer = await postJson(url, body, { ...headers }, WHO, opts);
    classify(answer);
  } catch (err) {
    if (!(opts.signal?.aborted && err === opts.signal.reason)) {
      const durationMs = Math.round(answer?.durationMs ?? performance.now() - started);
      const error = err instanceof Error ? err.message : String(err);
      await opts.onAttempt?.({ messageId: event.id, status: answer?.status ?? null, ok: false, error, durationMs });
    }
    throw err;
  }
  const durationMs = Math.round(answer.durationMs);
  await opts.onAttempt?.({ messageId: event.id, status: answer.status, ok: true, error: null, durationMs });
  return { status: answer.status, durationMs, webhookId: event.id };
}

const WHO = "The webhook endpoint";

function classify(answer: PostAnswer): void {
  const { status } = answer;
  if (status >= 200 && status < 300) return;
  if (status === 429) {
    const ms = parseRetryAfter(answer.headers.get("retry-after")) ?? DEFAULT_RETRY_AFTER_MS;
    throw new RateLimitedError(`${WHO} asked us to slow down (429); trying again in ${formatSeconds(ms)}.`, ms);
  }
  if (status >= 500 || status === 408) {
    throw new Error(`${WHO} answered ${status}; it will be tried again.`);
  }
  const why =
    status >= 300 && status < 400
      ? `${WHO} answered with a redirect (${status}); webhooks are not followed to other addresses, so enter the final URL.`
      : `${WHO} refused the delivery (${status}${reason(answer.body)}); check the URL and the receiver.`;
  throw new InvalidInputError({ webhookUrl: why }, why);
}

/** A short reason from the answer's body when it is a one-line text or has a JSON `message`/`error`. */
function reason(body: string): string {
  let text = body.trim();
  try {
    const json = JSON.parse(text) as { message?: unknown; error?: unknown };
    text = String(json.message ?? json.error ?? "");
  } catch {
    // plain text
  }
  text = text.replace(/\s+/g, " ").trim();
  return text && text.length <= 200 && !/[<>]/.test(text) ? `: ${text}` : "";
}

function secretKey(secret: string): Buffer {
  const key = secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), "base64")
    : Buffer.alloc(0);
  if (key.length < 16) {
    const why = "The webhook signing secret is not a whsec_ secret; generate a new one.";
    throw new InvalidInputError({ webhookSecret: why }, why);
  }
  return key;
}
