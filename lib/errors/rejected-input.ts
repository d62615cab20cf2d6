import { DomainError } from "./kind";

export type RejectionReason =
  | "empty" // zero bytes
  | "wrong_type" // not the kind of file this place takes (a PDF sent as a photo)
  | "unsupported" // the right kind, in a form we cannot decode
  | "too_large" // bytes, pixels, frames over a configured limit
  | "too_long" // duration over a configured limit
  | "damaged" // looked right, but the data is truncated or corrupt
  | "over_quota"; // fine, but more than the room left in the owner's storage quota

/** An uploaded file (or other content) that can never be processed as it is. */
export class RejectedInputError extends DomainError {
  readonly kind = "permanent";
  /** Numbers a program can act on (e.g. the room left under a quota), answered beside the message. */
  readonly details?: Record<string, number>;
  constructor(
    readonly reason: RejectionReason,
    message: string,
    options?: { cause?: unknown; details?: Record<string, number> },
  ) {
    super(message, options);
    this.details = options?.details;
    this.name = "RejectedInputError";
  }
  get code(): string {
    return this.reason;
  }
}
