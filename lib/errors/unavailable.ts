import { DomainError } from "./kind";

export type Dependency = "database" | "queue" | "storage" | "provider";

/** A dependency is down: not the request's fault; try again shortly. */
export class UnavailableError extends DomainError {
  readonly kind = "unavailable";
  readonly code = "unavailable";
  constructor(
    readonly dependency: Dependency,
    message: string,
    readonly retryAfterSeconds = 5,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "UnavailableError";
  }
}
