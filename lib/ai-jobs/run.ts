// Runs one AI job of a local-capable type from its validated payload: resolves its source
// (text, a safely fetched page, or a stored article), then calls the type's module. For the
// worker: it loads linkedom and Readability, so the web process imports ./index instead.
import { NotFoundError } from "@/lib/errors";
import type {
  AiJobType,
  CalculateSimilarityPayload,
  ExtractContentPayload,
  ExtractContentResult,
  GeneratePodcastPayload,
  PayloadOf,
  ResultOf,
  SummarizePayload,
  ValidateSummaryPayload,
} from "./types";
import { throwIfAborted, type Generate, type JobOutcome } from "./generate";
import { extractContent, fetchArticle } from "./extract";
import type { SafeFetchOptions } from "./safe-fetch";
import { calculateSimilarity, type LoadPhash } from "./similarity";
import { summarize } from "./summarize";
import { validateSummary } from "./validate-summary";

export interface RunDeps {
  /** The provider chain; absent → local algorithms only. */
  generate?: Generate;
  /** Fall back to the local algorithm when `generate` throws (AI_FALLBACK_ENABLED). */
  fallbackOnError?: boolean;
  /** The job's cancel signal. */
  signal?: AbortSignal;
  /** Fetch settings for url payloads (allowPrivateHosts from the test-only setting, limits). */
  fetch?: SafeFetchOptions;
  /** The stored result of an extract_content job, by its job id; null when missing or not the caller's. */
  loadArticle?: (articleId: string) => Promise<ExtractContentResult | null>;
  /** A photo's pHash, for calculate_similarity { mediaIds }. */
  loadPhash?: LoadPhash;
  now?: () => Date;
}

/** The text a summarize or generate_podcast payload points at, with its title when known. */
export async function resolveSource(
  payload: { text: string } | { url: string } | { article_id: string },
  deps: RunDeps,
): Promise<{ text: string; title: string | null; url: string | null }> {
  throwIfAborted(deps.signal);
  if ("text" in payload) return { text: payload.text, title: null, url: null };
  if ("url" in payload) {
    const article = await fetchArticle(payload.url, { field: "payload.url", ...deps.fetch, signal: deps.signal ?? deps.fetch?.signal });
    return { text: article.text, title: article.title || null, url: article.url };
  }
  if (!deps.loadArticle) throw new Error("resolveSource needs loadArticle for article_id payloads.");
  const article = await deps.loadArticle(payload.article_id);
  if (!article) throw new NotFoundError("That article");
  return { text: article.text, title: article.title || null, url: article.url };
}

export async function runSummarize(payload: SummarizePayload, deps: RunDeps = {}): Promise<JobOutcome<ResultOf<"summarize">>> {
  const { text } = await resolveSource(payload, deps);
  return summarize({ text, length: payload.length, language: payload.language }, deps);
}

export function runExtractContent(payload: ExtractContentPayload, deps: RunDeps = {}): Promise<JobOutcome<ResultOf<"extract_content">>> {
  return extractContent(payload, { fetch: deps.fetch, signal: deps.signal });
}

export function runValidateSummary(payload: ValidateSummaryPayload, deps: RunDeps = {}): Promise<JobOutcome<ResultOf<"validate_summary">>> {
  return validateSummary(payload, deps);
}

export function runCalculateSimilarity(payload: CalculateSimilarityPayload, deps: RunDeps = {}): Promise<JobOutcome<ResultOf<"calculate_similarity">>> {
  return calculateSimilarity(payload, { loadPhash: deps.loadPhash, signal: deps.signal });
}

/** The text and title of a generate_podcast payload (the episode itself is the podcast pipeline's). */
export function podcastSource(payload: GeneratePodcastPayload, deps: RunDeps = {}) {
  return resolveSource("text" in payload ? { text: payload.text } : { url: payload.url }, deps);
}

/** Types this module runs end to end (batch_process needs the queue; generate_podcast the podcast pipeline: ./podcast). */
export type LocalJobType = Exclude<AiJobType, "batch_process" | "generate_podcast">;

export const runners: { [T in LocalJobType]: (payload: PayloadOf<T>, deps?: RunDeps) => Promise<JobOutcome<ResultOf<T>>> } = {
  summarize: runSummarize,
  extract_content: runExtractContent,
  validate_summary: runValidateSummary,
  calculate_similarity: runCalculateSimilarity,
};
