// The calculate_similarity job: texts by the cosine of a provider's text embeddings when
// the chain picks one that offers them (Gemini), else by TF-IDF cosine (English words, CJK
// character bigrams); photos by the Hamming distance of their perceptual hashes.
import { InvalidInputError } from "@/lib/errors";
import type { CalculateSimilarityPayload, CalculateSimilarityResult } from "./types";
import { LOCAL_PROVIDER, throwIfAborted, type JobOutcome, type Progress } from "./generate";
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
  return matrixOf(items.length, (i, j) => cosine(vectors[i], vectors[j]));
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

export async function photoSimilarityMatrix(mediaIds: readonly string[], loadPhash: LoadPhash, signal?: AbortSignal, progress?: Progress): Promise<number[][]> {
  const hashes: string[] = [];
  const problems: Record<string, string> = {};
  let shown = 10;
  // Sequential on purpose: at most 100 small lookups, and a cancel stops between them.
  for (const [i, id] of mediaIds.entries()) {
    throwIfAborted(signal);
    // Every 10 points at most: a hundred photos are not a hundred updates.
    const at = step(i, mediaIds.length);
    if (progress && at >= shown + 10) await progress((shown = at));
    const hash = await loadPhash(id);
    if (hash === null) problems[`payload.mediaIds.${i}`] = "This photo has not been analysed yet; compare it once its analysis is done.";
    else if (!PHASH.test(hash)) problems[`payload.mediaIds.${i}`] = "This photo's fingerprint is unreadable; re-run its analysis.";
    hashes.push(hash ?? "");
  }
  if (Object.keys(problems).length) throw new InvalidInputError(problems, "Some photos cannot be compared yet.");
  return matrixOf(mediaIds.length, (i, j) => phashSimilarity(hashes[i], hashes[j]));
}

/**
 * Embedding vectors of `texts` from the provider chain, with who made them; null when it is
 * the local method's turn (no provider offers embeddings, or every one failed and "local"
 * follows them in the chain).
 */
export type EmbedTexts = (texts: string[], signal?: AbortSignal) => Promise<{ vectors: number[][]; provider: string } | null>;

export interface SimilarityDeps {
  /** Needed for `{ mediaIds }`. */
  loadPhash?: LoadPhash;
  /** Text embeddings (the chain); absent → TF-IDF. */
  embed?: EmbedTexts;
  /** Reports progress while items are embedded or photos looked up (10 → 90). */
  progress?: Progress;
  signal?: AbortSignal;
}

/** Cosine of two dense vectors, clamped to 0 … 1 (opposite directions count as unrelated). */
export function denseCosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 0;
  return Math.min(1, Math.max(0, dot / Math.sqrt(na * nb)));
}

/** Texts per embedding call of `{ items }`: the matrix's progress moves once per call. */
export const EMBED_CHUNK = 20;

/** Progress between 10 (started) and 90 for `done` of `total` steps. */
const step = (done: number, total: number) => 10 + Math.floor((80 * done) / total);

/**
 * Embeds `texts` in calls of EMBED_CHUNK, reporting progress after each; null when a call
 * came back as the local method's turn (the whole job then uses TF-IDF: one method per result).
 */
async function embedAll(texts: readonly string[], deps: SimilarityDeps & { embed: EmbedTexts }): Promise<{ vectors: number[][]; provider: string } | null> {
  const vectors: number[][] = [];
  let provider = "";
  for (let i = 0; i < texts.length; i += EMBED_CHUNK) {
    throwIfAborted(deps.signal);
    const got = await deps.embed(texts.slice(i, i + EMBED_CHUNK), deps.signal);
    if (!got) return null;
    vectors.push(...got.vectors);
    provider = got.provider;
    if (texts.length > EMBED_CHUNK) await deps.progress?.(step(Math.min(i + EMBED_CHUNK, texts.length), texts.length));
  }
  return { vectors, provider };
}

function matrixOf(n: number, score: (i: number, j: number) => number): number[][] {
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    m[i][i] = 1;
    for (let j = i + 1; j < n; j++) m[i][j] = m[j][i] = round(score(i, j));
  }
  return m;
}

/**
 * Runs a calculate_similarity payload: `{ a, b }` → `{ score }`; `{ items }` / `{ mediaIds }`
 * → `{ matrix }`. Texts use embeddings when `embed` yields them, TF-IDF otherwise; photos
 * always their pHashes. `method` says which.
 */
export async function calculateSimilarity(payload: CalculateSimilarityPayload, deps: SimilarityDeps = {}): Promise<JobOutcome<CalculateSimilarityResult>> {
  throwIfAborted(deps.signal);
  if ("mediaIds" in payload) {
    if (!deps.loadPhash) throw new Error("calculateSimilarity needs loadPhash to compare photos.");
    return { result: { matrix: await photoSimilarityMatrix(payload.mediaIds, deps.loadPhash, deps.signal, deps.progress), method: "phash" }, provider: LOCAL_PROVIDER };
  }
  const texts = "a" in payload ? [payload.a, payload.b] : payload.items;
  const embedded = deps.embed ? await embedAll(texts, { ...deps, embed: deps.embed }) : null;
  throwIfAborted(deps.signal);
  if (embedded) {
    const { vectors, provider } = embedded;
    if ("a" in payload) return { result: { score: round(denseCosine(vectors[0], vectors[1])), method: "embeddings" }, provider };
    return { result: { matrix: matrixOf(texts.length, (i, j) => denseCosine(vectors[i], vectors[j])), method: "embeddings" }, provider };
  }
  const outcome: JobOutcome<CalculateSimilarityResult> =
    "a" in payload
      ? { result: { score: textSimilarity(payload.a, payload.b), method: "tfidf" }, provider: LOCAL_PROVIDER }
      : { result: { matrix: textSimilarityMatrix(payload.items), method: "tfidf" }, provider: LOCAL_PROVIDER };
  // Asked for embeddings and got the local method's turn: say so on the job.
  if (deps.embed) outcome.fallback = { reason: "No AI provider could make text embeddings, so TF-IDF answered." };
  return outcome;
}
