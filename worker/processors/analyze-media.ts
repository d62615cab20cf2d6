// analyze-media: decode, thumbnail, EXIF, colours, fingerprint, then caption and tags.
// Idempotent: it reads the photo's state first, and results are keyed by content hash,
// so a retried or duplicated job never analyses the same bytes twice; a finished caption
// is kept until the result is saved, so a re-run after an outage never pays for it twice.
import type { Job } from "bullmq";
import { DelayedError } from "bullmq";
import type { Redis } from "ioredis";
import type { AiProvider, DescribeInput, Description } from "@/lib/ai/types";
import type { Db } from "@/lib/db";
import type { JobPayload } from "@/lib/jobs/catalogue";
import { forgetAnswer, keepAnswer, keptAnswer } from "@/lib/media/answer-cache";
import { analyzeImage } from "@/lib/media/image";
import { publishMedia } from "@/lib/media/live";
import { stageProgress, type AnalysisStage } from "@/lib/media/progress";
import { findAnalysis, getMediaForJob, saveAnalysis, updateMediaState } from "@/lib/media/repository";
import type { Storage } from "@/lib/storage/types";
import type { Turn, WorkAhead } from "../ahead";

export interface AnalyzeDeps {
  db: Db;
  storage: Storage;
  ai: AiProvider;
  redis: Redis;
  prefix: string;
  maxPixels: number;
  /** Most frames an animation may have; unset = no limit (the upload already checked). */
  maxFrames?: number;
  /**
   * Set when captions come from a remote provider: a photo's CPU work and its caption call
   * each take a turn here, and the CPU turn is given back as soon as only the call's wait is
   * left, so the next photo is decoded meanwhile (worker/ahead.ts). Unset: one job is one
   * photo's whole work, as many at once as the queue runs.
   */
  ahead?: WorkAhead;
}

/** How long a crashed job's claim on some bytes can hold up another upload of them. */
const LOCK_MS = 2 * 60_000;

/** Takes the lock if it is free or already ours (re-entrant for a re-run job). */
async function claimLock(redis: Redis, key: string, owner: string): Promise<boolean> {
  const claimed = await redis.eval(
    "local cur = redis.call('get', KEYS[1]) if not cur or cur == ARGV[1] then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end return 0",
    1,
    key,
    owner,
    LOCK_MS,
  );
  return claimed === 1;
}

export async function analyzeMedia(job: Job<JobPayload<"analyze-media">>, deps: AnalyzeDeps, token?: string) {
  // With a remote captioner the queue holds more photos than it works on: wait for this one's turn.
  const turn = deps.ahead ? await deps.ahead.begin() : null;
  try {
    return await analyzeMediaInTurn(job, deps, turn, token);
  } finally {
    turn?.release();
  }
}

async function analyzeMediaInTurn(job: Job<JobPayload<"analyze-media">>, deps: AnalyzeDeps, turn: Turn | null, token?: string) {
  const { db } = deps;
  const media = await getMediaForJob(db, job.data.mediaId);
  if (!media) return { skipped: "deleted" };
  if (media.status === "done") {
    // A worker that died between writing "done" and announcing it leaves watchers
    // waiting: say it again (same version, so nobody counts it twice).
    await publishMedia(media);
    return { skipped: "already done" };
  }

  // A re-run (after a crash or a transient failure) starts the stages again; the bar
  // holds where it was rather than jumping back, so progress never counts twice.
  const floor = media.progress;
  const report = async (stage: AnalysisStage) => {
    const progress = Math.max(stageProgress(stage), floor);
    const row = await updateMediaState(db, media.id, { status: "analysing", stage, progress, error: null });
    if (!row) throw new FinishedElsewhere();
    await publishMedia(row);
  };

  try {
    return await analyzeAndFinish(job, deps, media, report, turn, token);
  } catch (error) {
    // Another run of this job finished the photo (or it was deleted) while this one worked.
    if (error instanceof FinishedElsewhere) return { skipped: "finished by another run or deleted" };
    throw error;
  }
}

/**
 * The photo was done (or deleted) by the time this run wrote to it: a second run of the same
 * job, after the first lost its lock, can overlap the first. Ends this run without a write.
 */
class FinishedElsewhere extends Error {}

async function analyzeAndFinish(
  job: Job<JobPayload<"analyze-media">>,
  deps: AnalyzeDeps,
  media: { id: string; sha256: string; storageKey: string },
  report: (stage: AnalysisStage) => Promise<void>,
  turn: Turn | null,
  token: string | undefined,
) {
  const { db } = deps;

  // Two uploads of the same bytes at once: one analyses, the other waits and reuses.
  const lockKey = `${deps.prefix}:lock:analysis:${media.sha256}`;
  // The owner is the job, not the attempt: a job re-run after its worker died takes its
  // own lock straight back instead of waiting for it to expire.
  const owner = String(job.id);
  if (!(await claimLock(deps.redis, lockKey, owner))) {
    await job.moveToDelayed(Date.now() + 1_000, token);
    throw new DelayedError();
  }
  let analysis;
  try {
    // Asked once, under the lock: analysed already by an earlier upload of these bytes or an
    // earlier run of this job, the original is never read (on S3 that is the whole object).
    analysis = (await findAnalysis(db, media.sha256)) ?? (await analyze(media, deps, report, turn));
  } finally {
    // Release only our own lock (a slow job's lock may have expired and been retaken).
    await deps.redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
      1,
      lockKey,
      owner,
    );
  }
  const done = await updateMediaState(db, media.id, {
    status: "done",
    stage: null,
    progress: 1,
    error: null,
    analysisSha: analysis.sha256,
  });
  if (!done) throw new FinishedElsewhere();
  await publishMedia(done);
  return { analyzed: analysis.sha256 };
}

async function analyze(
  media: { sha256: string; storageKey: string },
  deps: AnalyzeDeps,
  report: (stage: AnalysisStage) => Promise<void>,
  turn: Turn | null,
) {
  const [bytes, kept] = await Promise.all([deps.storage.getBuffer(media.storageKey), keptAnswer(deps.redis, deps.prefix, media.sha256)]);
  // The provider call starts the moment its input exists (right after the decode), so the
  // wait for it overlaps the thumbnail, EXIF, colours and fingerprint. Its outcome is only
  // looked at after the "describing" stage, as when the call came last: a provider failure
  // is reported at the same point, classified the same way.
  let call = null as Caption | null;
  // If the photo fails after the call went out (the database down at a stage report, say),
  // the call is left to finish: its answer is kept, so the job's next run does not pay again.
  const image = await analyzeImage(bytes, {
    maxPixels: deps.maxPixels,
    maxFrames: deps.maxFrames,
    onStage: report,
    onDescribable: (input) => {
      if (!kept) call = describeAndKeep(deps, turn, media.sha256, input);
    },
  });
  // Only the caption's remote wait is left (when there is one): the next photo may start.
  if (!kept) turn?.release();
  // Decoded ahead while every call slot is taken: the photo says it is in line rather than
  // "writing a caption" before anything was sent.
  if (call?.inLine) {
    await report("awaiting-caption");
    await call.left;
  }
  await report("describing");
  const description = kept ?? unwrap(await call!.answer);
  await report("saving");
  const thumbnailKey = `thumbs/${media.sha256}.webp`;
  await deps.storage.putBuffer(thumbnailKey, image.thumbnail, "image/webp");
  const exif = image.exif;
  const saved = await saveAnalysis(deps.db, {
    sha256: media.sha256,
    width: image.width,
    height: image.height,
    format: image.format,
    thumbnailKey,
    exif: exif ? { ...exif } : undefined,
    takenAt: exif?.takenAt ? takenAtDate(exif.takenAt) : null,
    latitude: exif?.latitude ?? null,
    longitude: exif?.longitude ?? null,
    colours: image.features.colours,
    phash: image.phash,
    caption: description.caption,
    tags: description.tags,
    provider: description.provider,
  });
  await forgetAnswer(deps.redis, deps.prefix, media.sha256);
  return saved;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A caption call: in line for a call slot (worker/ahead.ts) until it leaves, then its answer. */
interface Caption {
  readonly inLine: boolean;
  /** Resolves when the call leaves (or ends without having left). */
  left: Promise<void>;
  /** Never rejects: a failure waits, unobserved, until the pipeline reaches the describing stage. */
  answer: Promise<Settled<Description>>;
}

function describeAndKeep(deps: AnalyzeDeps, turn: Turn | null, sha256: string, input: DescribeInput): Caption {
  let inLine = true;
  let leave!: () => void;
  const left = new Promise<void>((resolve) => {
    leave = () => {
      inLine = false;
      resolve();
    };
  });
  const send = () => {
    leave();
    return deps.ai.describe(input);
  };
  const answer = Promise.resolve()
    .then(() => (turn ? turn.call(send) : send()))
    .then(async (description) => {
      // Kept at once, so a failure of anything after it (thumbnail storage, the database)
      // never pays for the same caption twice.
      await keepAnswer(deps.redis, deps.prefix, sha256, description);
      return description;
    })
    .then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    )
    .finally(leave);
  return {
    get inLine() {
      return inLine;
    },
    left,
    answer,
  };
}

function unwrap<T>(settled: Settled<T>): T {
  if (!settled.ok) throw settled.error;
  return settled.value;
}

/**
 * EXIF times are the camera's wall clock, usually without an offset. Those are stored
 * as if UTC (and shown in UTC), so the server's own time zone never shifts the date.
 */
function takenAtDate(iso: string): Date | null {
  const hasOffset = /(Z|[+-]\d\d:?\d\d)$/.test(iso);
  const date = new Date(hasOffset ? iso : `${iso}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}
