import { DomainError } from "./kind";

/** Someone asked us to slow down: wait `retryAfterMs`, do not count it as a failure. */
export class RateLimitedError extends DomainError {
  readonly kind = "rate_limited";
  readonly code = "rate_limited";
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "RateLimitedError";
  }
}
