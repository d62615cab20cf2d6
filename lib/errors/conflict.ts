import { DomainError } from "./kind";

/** The request is fine but the thing's current state forbids it (e.g. edit while rendering). */
export class ConflictError extends DomainError {
  readonly kind = "permanent";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ConflictError";
  }
}
