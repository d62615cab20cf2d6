// What Gemini-specific code shares: the finish/block reasons that are refusals, and the
// error classification (lib/ai/gemini-errors.ts). Photos are described through the chain
// (lib/ai/describe.ts), Gemini's part of it in lib/ai/gemini-text.ts.
export { classifyGeminiError } from "./gemini-errors";

// Finish/block reasons that mean Gemini will not answer this request however often we
// ask; retrying would only spend quota, so these fail it for good.
export const GEMINI_REFUSALS: ReadonlySet<string> = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);
