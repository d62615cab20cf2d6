// The AI job catalogue for both the web app and the worker: types, payload schemas,
// priorities and the provider seam. Light on purpose (zod only); the algorithms, which load
// linkedom and Readability, are imported from ./run and the type modules by the worker.
export * from "./types";
export type { Generate, GenerateReply, GenerateRequest, JobOutcome, ProviderOptions, Usage } from "./generate";
export { blockedAddressReason, isPublicAddress } from "./safe-fetch";
