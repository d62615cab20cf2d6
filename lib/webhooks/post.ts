// One outgoing webhook POST, shared by Standard Webhooks deliveries and Discord: a hard
// timeout, no redirects followed, a bounded read of the answer, and failures turned into
// sentences that never contain the URL (a Discord webhook URL is a secret; any webhook URL
// may carry a token in its query).

export interface PostOptions {
  /** Aborts the request; the caller's reason is rethrown as is (a cancellation, not a failure). */
  signal?: AbortSignal;
  /** Default 10 s. */
  timeoutMs?: number;
}

export interface PostAnswer {
  status: number;
  headers: Headers;
  /** At most MAX_ANSWER_BYTES of the answer, as text. */
  body: string;
  durationMs: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Enough for any error JSON; a receiver that streams megabytes back is not read further. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs `body` and returns whatever status came back. Throws a plain Error (transient: the
 * worker retries it) when the endpoint cannot be reached or does not answer in time.
 * `who` names the receiver in messages: "The webhook endpoint", "Discord".
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  who: string,
  opts: PostOptions = {},
): Promise<PostAnswer> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Framecast-Webhooks/1", ...headers },
      body,
      signal,
      // A redirect could lead the POST (and its signature) somewhere the owner never chose.
      redirect: "manual",
    });
    const text = await readBounded(res);
    return { status: res.status, headers: res.headers, body: text, durationMs: performance.now() - started };
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (timeout.aborted) {
      throw new Error(`${who} did not answer within ${formatSeconds(timeoutMs)}; it will be tried again.`);
    }
    // undici puts the reason (ECONNREFUSED, ENOTFOUND…) in `cause`; its messages name the
    // host and port at most, never the path where a webhook's token lives.
    const code = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error(`${who} could not be reached${code ? ` (${code})` : ""}; it will be tried again.`, { cause: err });
  }
}

/**
 * Milliseconds to wait from a Retry-After header: delta-seconds or an HTTP date.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function formatSeconds(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s === 1 ? "1 second" : `${s} seconds`;
}

async function readBounded(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size >= MAX_ANSWER_BYTES) break;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES));
}
