import { DomainError } from "./kind";

/** The thing does not exist, or is not the caller's (the two must look the same). */
export class NotFoundError extends DomainError {
  readonly kind = "permanent";
  readonly code = "not_found";
  constructor(what = "That item") {
    super(`${what} was not found.`);
    this.name = "NotFoundError";
  }
}
