// The calculate_similarity job: texts by TF-IDF cosine (English words, CJK character
// bigrams), photos by the Hamming distance of their perceptual hashes. Local only: the
// provider seam has no embeddings call yet.
import { InvalidInputError } from "@/lib/errors";
import type { CalculateSimilarityPayload, CalculateSimilarityResult } from "./types";
import { LOCAL_PROVIDER, throwIfAborted, type JobOutcome } from "./generate";
import { cosine, tfidfVectors, tokenize } from "./text";
import { hammingDistance } from "@/lib/media/image/phash";

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * Similarity of two texts, 0 (no terms in common) … 1 (the same terms in the same
 * proportions). IDF over the pair itself, smoothed so shared terms keep their weight.
 */
export function textSimilarity(a: string, b: string): number {
  const [va, vb] = tfidfVectors([tokenize(a), tokenize(b)]);
  return round(cosine(va, vb));
}

/** All pairs of `items`: symmetric, 1 on the diagonal, IDF over the whole set. */
export function textSimilarityMatrix(items: readonly string[]): number[][] {
  const vectors = tfidfVectors(items.map((t) => tokenize(t)));
  const n = items.length;
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    m[i][i] = 1;
    for (let j = i + 1; j < n; j++) m[i][j] = m[j][i] = round(cosine(vectors[i], vectors[j]));
  }
  return m;
}

const PHASH = /^[0-9a-f]{16}$/i;

/**
 * Differing bits of two 64-bit pHashes (16 hex digits, as Analysis.phash stores them).
 * lib/media/image/phash.ts is pure maths with no imports, so the web process can use it
 * without loading sharp.
 */
export const phashDistance = hammingDistance;

/**
 * 1 − distance/64: 1 for the same picture (or a resized/recompressed copy, distance ≤ 4 →
 * ≥ 0.94); unrelated photos land around 0.5 (about half the bits differ), not 0.
 */
export function phashSimilarity(a: string, b: string): number {
  return round(1 - phashDistance(a, b) / 64);
}

/** Looks up a photo's pHash: null when it has not been analysed yet. Throws NotFoundError for an id the caller may not see. */
export type LoadPhash = (mediaId: string) => Promise<string | null>;

export async function photoSimilarityMatrix(mediaIds: readonly string[], loadPhash: LoadPhash, signal?: AbortSignal): Promise<number[][]> {
  const hashes: string[] = [];
  const problems: Record<string, string> = {};
  // Sequential on purpose: at most 100 small lookups, and a cancel stops between them.
  for (const [i, id] of mediaIds.entries()) {
    throwIfAborted(signal);
    const hash = await loadPhash(id);
    if (hash === null) problems[`payload.mediaIds.${i}`] = "This photo has not been analysed yet; compare it once its analysis is done.";
    else if (!PHASH.test(hash)) problems[`payload.mediaIds.${i}`] = "This photo's fingerprint is unreadable; re-run its analysis.";
    hashes.push(hash ?? "");
  }
  if (Object.keys(problems).length) throw new InvalidInputError(problems, "Some photos cannot be compared yet.");
  const n = mediaIds.length;
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    m[i][i] = 1;
    for (let j = i + 1; j < n; j++) m[i][j] = m[j][i] = phashSimilarity(hashes[i], hashes[j]);
  }
  return m;
}

export interface SimilarityDeps {
  /** Needed for `{ mediaIds }`. */
  loadPhash?: LoadPhash;
  signal?: AbortSignal;
}

/** Runs a calculate_similarity payload: `{ a, b }` → `{ score }`; `{ items }` / `{ mediaIds }` → `{ matrix }`. */
export async function calculateSimilarity(payload: CalculateSimilarityPayload, deps: SimilarityDeps = {}): Promise<JobOutcome<CalculateSimilarityResult>> {
  throwIfAborted(deps.signal);
  if ("a" in payload) return { result: { score: textSimilarity(payload.a, payload.b) }, provider: LOCAL_PROVIDER };
  if ("items" in payload) return { result: { matrix: textSimilarityMatrix(payload.items) }, provider: LOCAL_PROVIDER };
  if (!deps.loadPhash) throw new Error("calculateSimilarity needs loadPhash to compare photos.");
  return { result: { matrix: await photoSimilarityMatrix(payload.mediaIds, deps.loadPhash, deps.signal) }, provider: LOCAL_PROVIDER };
}
