import { DomainError } from "./kind";

/** It existed and was the caller's, but its time is up for good (an expired download link). */
export class GoneError extends DomainError {
  readonly kind = "permanent";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "GoneError";
  }
}
