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
import { throwIfAborted, type Generate, type JobOutcome, type Progress } from "./generate";
import { extractContent, fetchArticle } from "./extract";
import type { SafeFetchOptions } from "./safe-fetch";
import { calculateSimilarity, type EmbedTexts, type LoadPhash } from "./similarity";
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
  /** Text embeddings from the provider chain, for calculate_similarity of texts; absent → TF-IDF. */
  embed?: EmbedTexts;
  /** Reports the job's progress between its stages (docs/jobs.md, "Progress"). */
  progress?: Progress;
  now?: () => Date;
}

/** Progress once a source page has arrived, and once its text is ready (read from the page or loaded). */
export interface SourceStages {
  fetched: number;
  ready: number;
}

/** summarize: fetch (→ 30) → extract (→ 50) → summarise (→ 100); a stored article: loaded (→ 40). */
export const SUMMARIZE_STAGES: SourceStages = { fetched: 30, ready: 50 };

/** The text a summarize or generate_podcast payload points at, with its title when known. */
export async function resolveSource(
  payload: { text: string } | { url: string } | { article_id: string },
  deps: RunDeps,
  stages?: SourceStages,
): Promise<{ text: string; title: string | null; url: string | null }> {
  throwIfAborted(deps.signal);
  if ("text" in payload) return { text: payload.text, title: null, url: null };
  const report = async (percent: number | undefined) => {
    if (percent !== undefined) await deps.progress?.(percent);
  };
  if ("url" in payload) {
    const article = await fetchArticle(payload.url, { field: "payload.url", ...deps.fetch, signal: deps.signal ?? deps.fetch?.signal }, () => report(stages?.fetched));
    await report(stages?.ready);
    return { text: article.text, title: article.title || null, url: article.url };
  }
  if (!deps.loadArticle) throw new Error("resolveSource needs loadArticle for article_id payloads.");
  const article = await deps.loadArticle(payload.article_id);
  if (!article) throw new NotFoundError("That article");
  // Loading a stored article is one quick read: the middle of the two stages.
  await report(stages ? Math.round((stages.fetched + stages.ready) / 2) : undefined);
  return { text: article.text, title: article.title || null, url: article.url };
}

export async function runSummarize(payload: SummarizePayload, deps: RunDeps = {}): Promise<JobOutcome<ResultOf<"summarize">>> {
  const { text } = await resolveSource(payload, deps, SUMMARIZE_STAGES);
  return summarize({ text, length: payload.length, language: payload.language }, deps);
}

export function runExtractContent(payload: ExtractContentPayload, deps: RunDeps = {}): Promise<JobOutcome<ResultOf<"extract_content">>> {
  return extractContent(payload, { fetch: deps.fetch, signal: deps.signal, progress: deps.progress });
}

export function runValidateSummary(payload: ValidateSummaryPayload, deps: RunDeps = {}): Promise<JobOutcome<ResultOf<"validate_summary">>> {
  return validateSummary(payload, deps);
}

export function runCalculateSimilarity(payload: CalculateSimilarityPayload, deps: RunDeps = {}): Promise<JobOutcome<ResultOf<"calculate_similarity">>> {
  return calculateSimilarity(payload, { loadPhash: deps.loadPhash, embed: deps.embed, progress: deps.progress, signal: deps.signal });
}

/** The text and title of a generate_podcast payload (the episode itself is the podcast pipeline's). */
export function podcastSource(payload: GeneratePodcastPayload, deps: RunDeps = {}, stages?: SourceStages) {
  return resolveSource("text" in payload ? { text: payload.text } : { url: payload.url }, deps, stages);
}

/** Types this module runs end to end (batch_process needs the queue; generate_podcast the podcast pipeline: ./podcast). */
export type LocalJobType = Exclude<AiJobType, "batch_process" | "generate_podcast">;

export const runners: { [T in LocalJobType]: (payload: PayloadOf<T>, deps?: RunDeps) => Promise<JobOutcome<ResultOf<T>>> } = {
  summarize: runSummarize,
  extract_content: runExtractContent,
  validate_summary: runValidateSummary,
  calculate_similarity: runCalculateSimilarity,
};
