// What a failure means for whoever meets it. The worker turns a kind into BullMQ behaviour
// (worker/failures.ts); the HTTP edge turns an error class into a status (lib/http/).
//   permanent    — retrying cannot help (bad input, missing thing): fail now, say why
//   transient    — a blip (network, 5xx, timeout): retry with backoff
//   rate_limited — the other side asked us to wait: wait, without spending an attempt
//   unavailable  — a dependency is down (database, queue, storage): wait it out
export type FailureKind = "permanent" | "transient" | "rate_limited" | "unavailable";

/** Base of every domain error: a sentence a person can read, a stable code, a kind. */
export abstract class DomainError extends Error {
  abstract readonly kind: FailureKind;
  abstract readonly code: string;
}
