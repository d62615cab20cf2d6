// How a provider failure should be treated. The worker maps these to BullMQ behaviour:
// permanent → UnrecoverableError (no retry), transient → retry with backoff,
// rate limited → wait `retryAfterMs` and try again without spending an attempt.

export type AiErrorKind = "permanent" | "transient" | "rate_limited" | "quota_exhausted";

export class AiError extends Error {
  constructor(
    readonly kind: AiErrorKind,
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AiError";
  }

  get retryable(): boolean {
    return this.kind === "transient" || this.kind === "rate_limited";
  }
}

/** Thrown by a provider when the reply is not what was asked for (no text, not JSON). */
export class MalformedReplyError extends Error {
  constructor(detail: string, options?: { cause?: unknown; provider?: string }) {
    super(`${options?.provider ?? "Gemini"} returned a malformed reply: ${detail}`, options);
    this.name = "MalformedReplyError";
  }
}

/**
 * A malformed reply is transient (asking again may well work) but says nothing about the
 * provider's health, so the fallback chain moves on without resting the provider.
 */
export function isMalformedReply(err: AiError): boolean {
  return err.cause instanceof MalformedReplyError || err.cause instanceof SyntaxError;
}
