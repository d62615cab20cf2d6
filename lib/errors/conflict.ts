import { DomainError } from "./kind";

/** The request is fine but the thing's current state forbids it (e.g. edit while rendering). */
export class ConflictError extends DomainError {
  readonly kind = "permanent";
  /** Inputs the conflict is about, for a form to mark (e.g. an email already taken). */
  readonly fields?: Record<string, string>;
  constructor(
    readonly code: string,
    message: string,
    options?: { fields?: Record<string, string>; cause?: unknown },
  ) {
    super(message, options);
    this.name = "ConflictError";
    this.fields = options?.fields;
  }
}
