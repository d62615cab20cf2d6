// Runs one AI job for the worker: marks it running, runs its type with the provider chain
// (or the local algorithms), and records the outcome, who answered, usage and cost. A batch's
// own job runs last (after all its jobs, as the parent of a BullMQ flow) and collects them.
// Everything is guarded by the row's status: a job canceled meanwhile keeps "canceled".
import type { AiChain, Skip } from "@/lib/ai";
import { AiChainError, AiError } from "@/lib/ai";
import type { Db } from "@/lib/db";
import { ConflictError, DomainError, NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { batchOutcome } from "./batch";
import { generatePodcast } from "./podcast";
import type { Generate, GenerateReply, JobOutcome, Progress } from "./generate";
import { afterFinish, announceJob, type LifecycleDeps } from "./lifecycle";
import { getJob, transition, type JobRow } from "./repository";
import { runners, type RunDeps } from "./run";
import type { SafeFetchOptions } from "./safe-fetch";
import type { EmbedTexts } from "./similarity";
import { parsePayload, type AiJobType, type ExtractContentResult } from "./types";

export interface ExecuteDeps extends LifecycleDeps {
  /** The provider chain (lib/ai); null or only "local" in it → the local algorithms. */
  chain: AiChain | null;
  /** AI_FALLBACK_ENABLED: when every provider fails, the local algorithm answers (if "local" is in the chain). */
  fallbackEnabled: boolean;
  /** For url payloads: allowPrivateHosts (AI_JOBS_ALLOW_PRIVATE_HOSTS) and limits. */
  fetch?: SafeFetchOptions;
}

/** One provider note on the job: who was skipped or replaced, and why. */
export interface ProviderNote {
  provider: string;
  kind: string;
  reason: string;
}

/** What one attempt learned, kept for the failure record when it throws. */
export interface AttemptRecord {
  notes: ProviderNote[];
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  /** The chain reached "local": every provider was skipped and the local algorithm answered. */
  localTurn?: boolean;
}

export const newAttempt = (): AttemptRecord => ({ notes: [], usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } });

export type ExecuteResult = { status: "completed" | "skipped" | "canceled"; reason?: string };

/**
 * Runs the job `jobId`. Throws what the job's work threw (the worker classifies it and
 * calls recordFailure); returns normally when the job is done, was canceled, or has
 * nothing left to do (deleted, already finished: a duplicate delivery of the BullMQ job).
 */
export async function executeAiJob(deps: ExecuteDeps, jobId: string, attempt: AttemptRecord, signal?: AbortSignal): Promise<ExecuteResult> {
  const row = await getJob(deps.db, jobId);
  if (!row) return { status: "skipped", reason: "deleted" };
  if (row.status !== "queued" && row.status !== "running") return { status: "skipped", reason: row.status };
  if (row.type === "batch_process") return completeBatch(deps, row);

  const started = await transition(deps.db, jobId, ["queued", "running"], {
    status: "running",
    startedAt: row.startedAt ?? new Date(),
    attempts: { increment: 1 },
    progress: 10,
  });
  if (!started) return { status: "canceled" };
  await announceJob(deps, started);
  if (started.parentId) await markBatchRunning(deps, started.parentId);

  let outcome: JobOutcome<unknown>;
  try {
    outcome = await runJob(deps, started, attempt, signal);
  } catch (err) {
    if (err instanceof AiChainError) attempt.notes.push(...skipNotes(err.skipped));
    if (signal?.aborted || (await statusOf(deps.db, jobId)) === "canceled") return { status: "canceled" };
    throw err;
  }
  if (outcome.fallback) {
    // After a local turn the skip notes already say why each provider did not answer.
    attempt.notes.push(
      attempt.localTurn
        ? { provider: "local", kind: "fallback", reason: "No AI provider could answer, so the local method answered." }
        : { provider: outcome.fallback.from ?? "ai", kind: "fallback", reason: outcome.fallback.reason },
    );
  }

  const done = await transition(deps.db, jobId, ["running"], {
    status: "completed",
    result: outcome.result as Prisma.InputJsonValue,
    progress: 100,
    provider: outcome.provider,
    providerNotes: attempt.notes.length ? (attempt.notes as unknown as Prisma.InputJsonValue) : undefined,
    ...usageIncrement(attempt),
    errorCode: null,
    errorMessage: null,
    errorRetryable: null,
    completedAt: new Date(),
  });
  // Canceled while it ran: the result is discarded, "canceled" stays.
  if (!done) return { status: "canceled" };
  await afterFinish(deps, done);
  return { status: "completed" };
}

/**
 * Records a failed attempt. Final: failed, with the sentence and whether a retry could
 * help. Not final: queued again with the reason, waiting for its next attempt; a rate
 * limit's wait does not count as an attempt.
 */
export async function recordFailure(
  deps: LifecycleDeps,
  jobId: string,
  failure: { kind: string; message: string; code: string },
  final: boolean,
  attempt: AttemptRecord | undefined,
): Promise<void> {
  const common = {
    errorCode: failure.code,
    errorMessage: failure.message,
    ...(attempt?.notes.length ? { providerNotes: attempt.notes as unknown as Prisma.InputJsonValue } : {}),
    ...(attempt ? usageIncrement(attempt) : {}),
  };
  if (final) {
    const row = await transition(deps.db, jobId, ["queued", "running"], {
      ...common,
      status: "failed",
      errorRetryable: failure.kind !== "permanent",
      completedAt: new Date(),
    });
    if (row) await afterFinish(deps, row);
    return;
  }
  const row = await transition(deps.db, jobId, ["running"], {
    ...common,
    status: "queued",
    errorRetryable: true,
    ...(failure.kind === "rate_limited" ? { attempts: { decrement: 1 } } : {}),
  });
  if (row) await announceJob(deps, row);
}

/** The stable code recorded with a failure: the domain error's own, or the provider's kind. */
export function errorCodeOf(err: unknown): string {
  if (err instanceof DomainError) return err.code;
  if (err instanceof AiError) {
    return { permanent: "provider_refused", transient: "provider_unavailable", rate_limited: "provider_rate_limited", quota_exhausted: "provider_quota_exhausted" }[err.kind];
  }
  return "internal";
}

// ---------------------------------------------------------------------------------------

async function statusOf(db: Db, id: string) {
  return (await db.job.findUnique({ where: { id }, select: { status: true } }))?.status ?? null;
}

function usageIncrement(attempt: AttemptRecord) {
  const u = attempt.usage;
  return {
    inputTokens: { increment: u.inputTokens },
    outputTokens: { increment: u.outputTokens },
    costUsd: { increment: u.costUsd },
  };
}

const skipNotes = (skipped: readonly Skip[]): ProviderNote[] => skipped.map((s) => ({ provider: s.provider, kind: s.kind, reason: s.reason }));

/** The first of a batch's jobs to start moves the batch to running. */
async function markBatchRunning(deps: LifecycleDeps, batchId: string) {
  const row = await transition(deps.db, batchId, ["queued"], { status: "running", startedAt: new Date() });
  if (row) await announceJob(deps, row);
}

/** The batch's own job: every one of its jobs has finished; collect their outcomes. */
async function completeBatch(deps: ExecuteDeps, row: JobRow): Promise<ExecuteResult> {
  const outcome = await batchOutcome(deps.db, row.id);
  const usage = await deps.db.job.aggregate({
    where: { parentId: row.id },
    _sum: { inputTokens: true, outputTokens: true, costUsd: true },
  });
  const done = await transition(deps.db, row.id, ["queued", "running"], {
    status: "completed",
    result: outcome as unknown as Prisma.InputJsonValue,
    progress: 100,
    startedAt: row.startedAt ?? new Date(),
    inputTokens: usage._sum.inputTokens ?? 0,
    outputTokens: usage._sum.outputTokens ?? 0,
    costUsd: usage._sum.costUsd ?? 0,
    completedAt: new Date(),
  });
  if (!done) return { status: "canceled" };
  await afterFinish(deps, done);
  return { status: "completed" };
}

/** Marks the text a chain returns when it reached "local": the job's own algorithm answers. */
const LOCAL_TURN = "\u0000framecast-local\u0000";

/** Thrown out of `generate` so the job type's own local algorithm answers. */
class LocalTurn extends Error {
  constructor() {
    super("No AI provider could answer; the local method answered instead.");
    this.name = "LocalTurn";
  }
}

/**
 * `generate` for the job types, over the chain: records who was skipped and the usage. When
 * the chain reaches its "local" entry, the call throws, so the type's own local algorithm
 * answers (generateJson falls back on a thrown error when fallbackOnError is set).
 */
function chainGenerate(chain: AiChain, attempt: AttemptRecord): Generate {
  return async (req): Promise<GenerateReply> => {
    const result = await chain.generate(
      { system: req.system, prompt: req.prompt, json: req.json as Record<string, unknown> | undefined, signal: req.signal },
      { local: async () => LOCAL_TURN },
    );
    attempt.notes.push(...skipNotes(result.skipped));
    if (result.provider === "local" && result.text === LOCAL_TURN) {
      attempt.localTurn = true;
      throw new LocalTurn();
    }
    attempt.usage.inputTokens += result.usage.inputTokens;
    attempt.usage.outputTokens += result.usage.outputTokens;
    attempt.usage.costUsd += result.usage.costUsd ?? 0;
    return {
      text: result.text,
      provider: `${result.provider}:${result.model}`,
      usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, costUsd: result.usage.costUsd ?? 0 },
    };
  };
}

/**
 * `embed` for calculate_similarity, over the chain: the first provider that offers
 * embeddings and answers; null (TF-IDF) on the chain's local turn. Records skips and usage.
 */
function chainEmbed(chain: AiChain, attempt: AttemptRecord): EmbedTexts {
  return async (texts, signal) => {
    const result = await chain.embed({ texts, signal });
    attempt.notes.push(...skipNotes(result.skipped));
    if (!("vectors" in result)) {
      // Only a real failure makes it a fallback; no provider offering embeddings is the usual keyless path.
      if (result.skipped.some((s) => s.kind !== "not_available")) attempt.localTurn = true;
      return null;
    }
    attempt.usage.inputTokens += result.usage.inputTokens;
    attempt.usage.outputTokens += result.usage.outputTokens;
    attempt.usage.costUsd += result.usage.costUsd ?? 0;
    return { vectors: result.vectors, provider: `${result.provider}:${result.model}` };
  };
}

/** One piece of a podcast script read aloud over the chain; null on its local turn (espeak-ng). Records skips and usage. */
function chainSay(chain: AiChain, attempt: AttemptRecord) {
  return async (text: string, voice: string | undefined, signal?: AbortSignal) => {
    const result = await chain.speak({ text, voice, signal });
    attempt.notes.push(...skipNotes(result.skipped));
    if (!("pcm" in result)) {
      if (result.skipped.some((s) => s.kind !== "not_available")) {
        attempt.notes.push({ provider: "local", kind: "fallback", reason: "No AI provider could read the script aloud, so espeak-ng did." });
      }
      return null;
    }
    attempt.usage.inputTokens += result.usage.inputTokens;
    attempt.usage.outputTokens += result.usage.outputTokens;
    attempt.usage.costUsd += result.usage.costUsd ?? 0;
    return { pcm: result.pcm, sampleRate: result.sampleRate, provider: `${result.provider}:${result.model}` };
  };
}

const hasRemote = (chain: AiChain | null) => chain?.order.some((p) => p !== "local") ?? false;

function providerDeps(deps: ExecuteDeps, type: AiJobType, attempt: AttemptRecord): Pick<RunDeps, "generate" | "fallbackOnError" | "embed"> {
  const chain = deps.chain;
  if (!chain || !hasRemote(chain) || type === "extract_content") return {};
  if (type === "calculate_similarity") return { embed: chainEmbed(chain, attempt) };
  // The providers this chain actually tries: all of them, or only the first without fallback.
  const tried = deps.fallbackEnabled ? chain.order : chain.order.slice(0, 1);
  return { generate: chainGenerate(chain, attempt), fallbackOnError: tried.includes("local") };
}

async function runJob(deps: ExecuteDeps, row: JobRow, attempt: AttemptRecord, signal?: AbortSignal): Promise<JobOutcome<unknown>> {
  const type = row.type as AiJobType;
  const progress = progressReporter(deps, row.id, row.progress);
  const runDeps: RunDeps = {
    ...providerDeps(deps, type, attempt),
    signal,
    fetch: deps.fetch,
    progress,
    loadArticle: (id) => loadArticle(deps.db, row.ownerId, id),
    loadPhash: (id) => loadPhash(deps.db, row.ownerId, id),
  };
  switch (type) {
    case "summarize":
    case "extract_content":
    case "validate_summary":
    case "calculate_similarity": {
      const payload = parsePayload(type, row.payload);
      return (runners[type] as (p: typeof payload, d: RunDeps) => Promise<JobOutcome<unknown>>)(payload, runDeps);
    }
    case "generate_podcast":
      // The chain's speech (Gemini TTS) when it has a provider that offers it; espeak-ng otherwise.
      return generatePodcast(parsePayload(type, row.payload), {
        db: deps.db,
        jobId: row.id,
        ownerId: row.ownerId,
        signal,
        fetch: deps.fetch,
        progress,
        say: hasRemote(deps.chain) ? chainSay(deps.chain!, attempt) : undefined,
      });
    default:
      throw new ConflictError("unknown_type", `This server cannot run "${row.type}" jobs.`);
  }
}

/**
 * A running job's progress between its stages, recorded and told to open pages. Only
 * forward, and below 100 (which only completion shows); a canceled job keeps its state.
 */
function progressReporter(deps: ExecuteDeps, id: string, from: number): Progress {
  let shown = from;
  return async (percent) => {
    const p = Math.min(99, Math.round(percent));
    if (p <= shown) return;
    shown = p;
    const row = await transition(deps.db, id, ["running"], { progress: p });
    if (row) await announceJob(deps, row);
  };
}

/** An article: the result of one of the owner's completed extract_content jobs. */
async function loadArticle(db: Db, ownerId: string, id: string): Promise<ExtractContentResult | null> {
  const row = await db.job.findFirst({ where: { id, ownerId, type: "extract_content" }, select: { status: true, result: true } });
  if (!row) return null;
  if (row.status !== "completed") {
    throw new ConflictError(
      "article_not_ready",
      `The article's extract_content job is ${row.status}, so there is no article yet. Retry this job once it has completed.`,
    );
  }
  return row.result as unknown as ExtractContentResult;
}

/** A photo's perceptual hash; null while its analysis has not finished. */
async function loadPhash(db: Db, ownerId: string, mediaId: string): Promise<string | null> {
  const media = await db.media.findFirst({ where: { id: mediaId, ownerId }, select: { analysis: { select: { phash: true } } } });
  if (!media) throw new NotFoundError("That photo");
  return media.analysis?.phash ?? null;
}

