import { DomainError } from "./kind";

/** Fields of a request that are not valid, each with a message for the person who typed it. */
export class InvalidInputError extends DomainError {
  readonly kind = "permanent";
  readonly code = "invalid_input";
  constructor(
    readonly fields: Record<string, string>,
    message = "Some fields are not valid.",
  ) {
    super(message);
    this.name = "InvalidInputError";
  }
}
