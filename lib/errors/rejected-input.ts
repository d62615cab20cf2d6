import { DomainError } from "./kind";

export type RejectionReason =
  | "empty" // zero bytes
  | "wrong_type" // not the kind of file this place takes (a PDF sent as a photo)
  | "unsupported" // the right kind, in a form we cannot decode
  | "too_large" // bytes, pixels, frames over a configured limit
  | "too_long" // duration over a configured limit
  | "damaged"; // looked right, but the data is truncated or corrupt

/** An uploaded file (or other content) that can never be processed as it is. */
export class RejectedInputError extends DomainError {
  readonly kind = "permanent";
  constructor(
    readonly reason: RejectionReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "RejectedInputError";
  }
  get code(): string {
    return this.reason;
  }
}
