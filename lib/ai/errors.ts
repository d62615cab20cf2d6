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
