// The domain's error vocabulary. Domain code (repositories, services, the workflow engine,
// processors) throws only these; it never picks an HTTP status (lib/http/ does, once).
export { DomainError, type FailureKind } from "./kind";
export { NotFoundError } from "./not-found";
export { ConflictError } from "./conflict";
export { GoneError } from "./gone";
export { InvalidInputError } from "./invalid-input";
export { RejectedInputError, type RejectionReason } from "./rejected-input";
export { UnavailableError, type Dependency } from "./unavailable";
export { RateLimitedError } from "./rate-limited";
