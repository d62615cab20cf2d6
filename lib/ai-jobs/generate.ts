// The seam between a job type and an AI provider: the `generate` function a caller may pass
// (the provider chain of lib/ai), and one helper that asks it for JSON and checks the reply.
import type { z } from "zod";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  costUsd?: number;
}

export interface GenerateRequest {
  system?: string;
  prompt: string;
  /** A JSON schema the reply should follow (providers that support it enforce it). */
  json?: object;
  signal?: AbortSignal;
}

export interface GenerateReply {
  text: string;
  /** Who answered, e.g. "gemini:gemini-2.5-flash" — recorded on the job. */
  provider: string;
  usage?: Usage;
}

/** One call to whichever AI provider the caller chose (or its fallback chain). */
export type Generate = (req: GenerateRequest) => Promise<GenerateReply>;

/** What every job type returns: its result plus who produced it and at what cost. */
export interface JobOutcome<R> {
  result: R;
  /** "local" when computed here without a provider. */
  provider: string;
  usage?: Usage;
  /** Set when a provider was asked but its answer could not be used, so the local path ran. */
  fallback?: { from?: string; reason: string };
}

/**
 * Tells the job's watchers how far it got, in percent (0–100), as a multi-stage job moves
 * from stage to stage. Where a job type reports what is described in docs/jobs.md
 * ("Progress"); the worker's reporter ignores values that do not move the bar forward.
 */
export type Progress = (percent: number) => Promise<void>;

/** Options shared by the job types that can use a provider. */
export interface ProviderOptions {
  generate?: Generate;
  signal?: AbortSignal;
  /**
   * When `generate` throws (every provider down or out of quota), run the local algorithm
   * instead of failing. Off by default so the job's retry and rate-limit handling still see
   * the error; a malformed reply always falls back, as retrying rarely fixes it.
   */
  fallbackOnError?: boolean;
}

export const LOCAL_PROVIDER = "local";

/** Reads a model's reply as JSON: tolerates ```json fences and prose around one object. */
export function parseJsonReply(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  const body = (fenced ? fenced[1] : text).trim();
  try {
    return JSON.parse(body);
  } catch {
    const start = body.indexOf("{");
    const end = body.lastIndexOf("}");
    if (start >= 0 && end > start) {
      try {
        return JSON.parse(body.slice(start, end + 1));
      } catch {
        /* fall through */
      }
    }
    return undefined;
  }
}

export type JsonAnswer<T> =
  | { ok: true; value: T; reply: GenerateReply }
  | { ok: false; reason: string; reply?: GenerateReply };

/**
 * Asks `generate` for JSON matching `schema`. A reply that is not JSON or does not match is
 * `{ ok: false }` (the caller falls back to its local algorithm); an aborted signal always
 * rethrows; other provider errors rethrow unless `fallbackOnError`.
 */
export async function generateJson<T>(
  generate: Generate,
  req: GenerateRequest,
  schema: z.ZodType<T>,
  fallbackOnError = false,
): Promise<JsonAnswer<T>> {
  let reply: GenerateReply;
  try {
    reply = await generate(req);
  } catch (err) {
    if (req.signal?.aborted || !fallbackOnError) throw err;
    return { ok: false, reason: `The AI provider failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const data = parseJsonReply(reply.text);
  if (data === undefined) return { ok: false, reason: "The AI provider's reply was not JSON.", reply };
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? ` at ${first.path.join(".")}` : "";
    return { ok: false, reason: `The AI provider's reply did not have the expected shape${where}: ${first?.message ?? "invalid"}.`, reply };
  }
  return { ok: true, value: parsed.data, reply };
}

/** Throws the signal's reason when the job was canceled before or between steps. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException("The job was canceled.", "AbortError");
}
