// What the HTTP edge asks of the podcast domain about episodes: accept uploaded audio (or
// an object already in the bucket), read, edit at review, publish, resume, unpublish and
// delete. Each creates or steers the episode's workflow run (lib/workflow) and tells open
// pages (live kind "episode"); the worker does the work.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { claimQuota, quotaCheck } from "@/lib/account/usage";
import type { SessionUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { ConflictError, InvalidInputError, NotFoundError, RejectedInputError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { enqueue, workflowQueues } from "@/lib/jobs";
import { log } from "@/lib/log";
import { storage } from "@/lib/storage/instance";
import { assertValidKey, InvalidStorageKeyError } from "@/lib/storage/keys";
import { discardObject } from "@/lib/storage/leftovers";
import * as control from "@/lib/workflow/control";
import { firstStep, jobOf, runProgress, runFraction } from "@/lib/workflow/plan";
import { createRun } from "@/lib/workflow/repository";
import type { RunStatus, StepStatus } from "@/lib/workflow/types";
import { normaliseChapters } from "./chapters";
import { coverKey, ingestPrefix, sourceKey } from "./keys";
import { publishEpisodeRun } from "./live";
import { cleanKeywords } from "./metadata";
import { EPISODE_KIND, EPISODE_PLAN, type EpisodeRunInput } from "./plan";
import {
  createEpisode,
  findIngested,
  getOwnedEpisode,
  getOwnedShow,
  getShow,
  updateEpisode,
  type EpisodeRow,
  type ShowRow,
} from "./repository";
import { sanitiseShowNotes } from "./show-notes";
import { ensureDefaultShow } from "./shows";
import { AUDIO_SNIFF_BYTES, notAudioMessage, sniffAudioType } from "./sniff";
import { publishedKeysOf } from "./steps/feed";
import { toEpisodeDetail, toEpisodeView, type EpisodeDetail, type EpisodeStatus } from "./view";
import type { UrlConfig } from "./urls";

const engine = () => ({ db: db(), ...workflowQueues });

export function urlConfig(config = env()): UrlConfig {
  return { appUrl: config.APP_URL, publicMediaBaseUrl: config.PUBLIC_MEDIA_BASE_URL };
}

/** A file the upload reader accepted as audio, in a temp file. */
export interface ReceivedAudio {
  name: string;
  tempPath: string;
  size: number;
  sha256: string;
  mime: string;
  ext?: string;
  /** Set once putFile has taken the file, as on ReceivedFile: the reader leaves it alone. */
  stored?: boolean;
}

export interface CreatedEpisode {
  episodeId: string;
  status: EpisodeStatus;
}

/** The show an upload goes to: the one named (and the user's), or their first, made on first use. */
export async function showForUpload(user: SessionUser, showId: string | null | undefined): Promise<ShowRow> {
  if (showId) {
    if (!z.string().uuid().safeParse(showId).success) throw new NotFoundError("That show");
    return getOwnedShow(db(), user.id, showId);
  }
  return ensureDefaultShow(db(), user, env().APP_URL);
}

interface NewEpisode {
  id: string;
  /** Known before analysis (a generated episode's script title); analysis keeps it. */
  title?: string;
  originalName: string;
  sourceKey: string;
  sourceMime: string;
  sourceBytes: number;
  sourceSha256?: string | null;
  ingestKey?: string;
  ingestEtag?: string | null;
}

/**
 * The Episode and its workflow run in one transaction, then the first step's job. Without
 * its job the episode would wait forever, so if the queue refuses, both rows go again.
 */
/** `quotaBytes`: the recording counts against the owner's quota, claimed with the rows (claimQuota). */
async function createEpisodeAndRun(user: SessionUser, show: ShowRow, data: NewEpisode, quotaBytes?: number): Promise<EpisodeRow> {
  const input: EpisodeRunInput = { episodeId: data.id };
  const episode = await db().$transaction(async (tx) => {
    await claimQuota(tx, user.id, quotaBytes, data.originalName, Number(data.sourceBytes));
    const run = await createRun(tx, EPISODE_PLAN, {
      kind: EPISODE_KIND,
      ownerId: user.id,
      input: { ...input },
      // Analysis always runs straight through; the show decides whether review waits for a person.
      autoProgressSteps: true,
      autoProgressPhases: show.autoPublish,
    });
    return createEpisode(tx, { ...data, ownerId: user.id, showId: show.id, runId: run.id, keywords: [] });
  });
  const first = firstStep(EPISODE_PLAN);
  try {
    await workflowQueues.enqueue(jobOf(EPISODE_PLAN, first.phase, first.step), { runId: episode.runId, phase: first.phase, step: first.step, generation: 0 });
  } catch (err) {
    await db().workflowRun.delete({ where: { id: episode.runId } }).catch(() => {});
    throw err;
  }
  await publishEpisodeRun(db(), episode.runId).catch(() => {});
  return episode;
}

/**
 * Moves each received audio file into storage under its episode, and makes the episode.
 * Each is all-or-nothing: if it cannot be stored, or its rows or job cannot be made, its
 * stored bytes go again (later, if storage is down).
 */
export async function acceptAudio(user: SessionUser, show: ShowRow, files: readonly ReceivedAudio[]): Promise<CreatedEpisode[]> {
  const created: CreatedEpisode[] = [];
  const quota = env().USER_STORAGE_QUOTA_BYTES;
  const fits = await quotaCheck(db(), user.id, quota);
  for (const file of files) {
    // Over the owner's storage quota: refused (413) before anything is stored (and, should
    // another upload take the room meanwhile, when its rows are written: the file goes again).
    const refusal = fits(file.name, file.size);
    if (refusal) throw refusal;
    const id = randomUUID();
    const key = sourceKey(show.id, id, file.ext ?? "audio");
    try {
      await storage().putFile(key, file.tempPath, file.mime);
      file.stored = true;
    } catch (err) {
      // A failed write may still have stored every byte: remove it, now or once storage is back.
      await discardObject(storage(), key, "audio upload failed while storing the file");
      throw err;
    }
    try {
      await createEpisodeAndRun(user, show, { id, originalName: file.name, sourceKey: key, sourceMime: file.mime, sourceBytes: file.size, sourceSha256: file.sha256 }, quota);
    } catch (err) {
      await discardObject(storage(), key, "audio upload failed after storing the file");
      throw err;
    }
    created.push({ episodeId: id, status: "processing" });
  }
  return created;
}

export const ingestSchema = z.object({
  storageKey: z.string().min(1, "Name the object's key."),
  showId: z.string().uuid("Not a show id.").nullable().optional(),
});

/**
 * An object already in the bucket becomes an episode (the seed's storage-finalize event).
 * Events arrive at least once: the same key with the same ETag answers the episode made
 * the first time. Only objects under the caller's own folder (incoming/<userId>/) count.
 * The AI jobs API's generate_podcast hands its synthesized speech in here too (with a title).
 */
export async function ingestStoredAudio(
  user: SessionUser,
  body: z.infer<typeof ingestSchema>,
  options: { title?: string } = {},
): Promise<CreatedEpisode & { duplicate: boolean }> {
  const key = body.storageKey.trim();
  const prefix = ingestPrefix(user.id);
  try {
    assertValidKey(key);
  } catch (err) {
    if (err instanceof InvalidStorageKeyError) throw new InvalidInputError({ storageKey: "Not a valid storage key." });
    throw err;
  }
  if (!key.startsWith(prefix)) {
    throw new InvalidInputError({ storageKey: `Put the file under ${prefix} in the bucket; other keys are not yours to announce.` });
  }
  const stat = await storage().stat(key);
  if (!stat) throw new NotFoundError("No object with that key");
  const etag = stat.etag ?? `size-${stat.size}`;
  const seen = await findIngested(db(), user.id, key, etag);
  if (seen) return { episodeId: seen.id, status: toEpisodeView(seen).status, duplicate: true };

  const config = env();
  if (stat.size === 0) throw new RejectedInputError("empty", "The file is empty.");
  if (stat.size > config.MAX_AUDIO_BYTES) {
    throw new RejectedInputError("too_large", `This file is ${mb(stat.size)}; audio files may be at most ${mb(config.MAX_AUDIO_BYTES)}.`);
  }
  const { stream } = await storage().getStream(key, { start: 0, end: Math.min(stat.size, AUDIO_SNIFF_BYTES) - 1 });
  const head = await readAll(stream);
  const sniffed = sniffAudioType(head);
  if (!sniffed) throw new RejectedInputError("wrong_type", notAudioMessage(head));

  const show = await showForUpload(user, body.showId);
  const id = randomUUID();
  try {
    await createEpisodeAndRun(user, show, {
      id,
      ...(options.title ? { title: options.title } : {}),
      originalName: key.slice(prefix.length).split("/").pop() || "upload",
      sourceKey: sourceKey(show.id, id, sniffed.ext),
      sourceMime: sniffed.mime,
      sourceBytes: stat.size,
      ingestKey: key,
      ingestEtag: etag,
    });
  } catch (err) {
    // The same event arriving twice at once: the other request made it.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      const other = await findIngested(db(), user.id, key, etag);
      if (other) return { episodeId: other.id, status: toEpisodeView(other).status, duplicate: true };
    }
    throw err;
  }
  return { episodeId: id, status: "processing", duplicate: false };
}

export async function getEpisodeDetail(user: SessionUser, id: string): Promise<EpisodeDetail> {
  const row = await getOwnedEpisode(db(), user.id, id);
  const show = await getShow(db(), row.showId);
  if (!show) throw new NotFoundError("That episode");
  return toEpisodeDetail(row, show, urlConfig());
}

/** GET …/progress: where the run stands. */
export async function episodeProgress(user: SessionUser, id: string) {
  const row = await getOwnedEpisode(db(), user.id, id);
  const steps = row.run.steps.map((s) => ({ ...s, status: s.status as StepStatus }));
  const run = { ...row.run, status: row.run.status as RunStatus };
  const view = toEpisodeView(row);
  return {
    ...runProgress(EPISODE_PLAN, run, steps),
    status: view.status,
    progress: run.status === "completed" ? 1 : runFraction(EPISODE_PLAN, steps),
    startedAt: view.startedAt,
    completedAt: view.completedAt,
  };
}

const line = (max: number) =>
  z
    .string()
    .transform((s) => s.replace(/\s+/g, " ").trim())
    .pipe(z.string().max(max, `At most ${max} characters.`));

export const editEpisodeSchema = z
  .object({
    title: line(200).pipe(z.string().min(1, "The episode needs a title.")),
    summary: z.string().trim().max(4_000, "At most 4,000 characters.").nullable(),
    showNotes: z.string().max(50_000, "At most 50,000 characters.").nullable(),
    keywords: z.array(line(50)).max(20, "At most 20 keywords."),
    chapters: z
      .array(z.object({ startTime: z.number().min(0, "A chapter cannot start before 0."), title: line(200) }))
      .max(100, "At most 100 chapters."),
    season: z.number().int().min(1, "From 1 up.").max(9_999).nullable(),
    episodeNumber: z.number().int().min(1, "From 1 up.").max(99_999).nullable(),
    /** Alias of episodeNumber. */
    episode: z.number().int().min(1, "From 1 up.").max(99_999).nullable(),
    explicit: z.boolean().nullable(),
    episodeType: z.enum(["full", "trailer", "bonus"], { message: "Must be full, trailer or bonus." }),
  })
  .partial()
  .strict();

export type EpisodeEdit = z.infer<typeof editEpisodeSchema>;

/** The fields the MP3 itself carries (ID3 title, chapters): changing them needs a new encode. */
const ENCODED_FIELDS = ["title", "chapters"] as const;

/**
 * Edits the review fields. Refused while a step runs. On a published episode, a change of
 * the title or chapters encodes, stores and publishes it again (the run is rewound to the
 * publish phase and started); other changes only rebuild the feed.
 */
export async function editEpisode(user: SessionUser, id: string, edit: EpisodeEdit): Promise<EpisodeDetail> {
  const row = await getOwnedEpisode(db(), user.id, id);
  if (row.run.status === "running") throw new ConflictError("busy", "Wait until the current step finishes before editing.");
  const data: Prisma.EpisodeUncheckedUpdateInput = {};
  if (edit.title !== undefined) data.title = edit.title;
  if (edit.summary !== undefined) data.summary = edit.summary || null;
  if (edit.showNotes !== undefined) data.showNotes = edit.showNotes ? sanitiseShowNotes(edit.showNotes) || null : null;
  if (edit.keywords !== undefined) data.keywords = cleanKeywords(edit.keywords);
  if (edit.chapters !== undefined) {
    const duration = row.durationSec ?? Infinity;
    const late = edit.chapters.findIndex((c) => c.startTime >= duration);
    if (late >= 0) throw new InvalidInputError({ [`chapters.${late}.startTime`]: "This chapter starts after the recording ends." });
    data.chapters = normaliseChapters(edit.chapters, Number.isFinite(duration) ? duration : undefined) as unknown as Prisma.InputJsonValue;
  }
  if (edit.season !== undefined) data.season = edit.season;
  if (edit.episodeNumber !== undefined || edit.episode !== undefined) data.episodeNumber = edit.episodeNumber ?? edit.episode ?? null;
  if (edit.explicit !== undefined) data.explicit = edit.explicit;
  if (edit.episodeType !== undefined) data.episodeType = edit.episodeType;
  if (Object.keys(data).length === 0) return getEpisodeDetail(user, id);

  const reEncode = ENCODED_FIELDS.some((f) => f in data && JSON.stringify(data[f]) !== JSON.stringify(row[f]));
  const encoded = row.run.steps.some((s) => s.phase === "publish" && s.step === "encode" && s.status === "succeeded");
  const inFeed = Boolean(row.publishedAt && row.audioKey);
  // Rewind first: if that is refused (a step just started), nothing was changed.
  if (reEncode && encoded) await control.rewind(engine(), EPISODE_PLAN, row.runId, "publish");
  await updateEpisode(db(), row.id, data);
  if (reEncode && encoded && inFeed) await control.proceed(engine(), EPISODE_PLAN, row.runId);
  else if (inFeed) await requestFeedRebuild(row.showId);
  await publishEpisodeRun(db(), row.runId).catch(() => {});
  return getEpisodeDetail(user, id);
}

/** Publish: start the publish phase of an episode waiting for review. */
export async function publishEpisode(user: SessionUser, id: string): Promise<EpisodeDetail> {
  const row = await getOwnedEpisode(db(), user.id, id);
  const status = toEpisodeView(row).status;
  if (status === "no_speech") throw new ConflictError("no_speech", "No speech was found in this recording, so there is nothing to publish.");
  if (status === "published") throw new ConflictError("already_published", "This episode is already published.");
  if (status === "failed") throw new ConflictError("failed", "A step failed: press Resume to continue from it.");
  if (status !== "ready_for_review") throw new ConflictError("busy", "This episode is not ready to publish yet.");
  await control.proceed(engine(), EPISODE_PLAN, row.runId);
  await publishEpisodeRun(db(), row.runId).catch(() => {});
  return getEpisodeDetail(user, id);
}

/** Resume: continue a failed run from the step that failed (or one whose worker died). */
export async function resumeEpisode(user: SessionUser, id: string): Promise<EpisodeDetail> {
  const row = await getOwnedEpisode(db(), user.id, id);
  await control.resume(engine(), EPISODE_PLAN, row.runId);
  await publishEpisodeRun(db(), row.runId).catch(() => {});
  return getEpisodeDetail(user, id);
}

/**
 * Takes a published episode out of the feed: the feed is rebuilt without it, its published
 * files are deleted, and it goes back to review (Publish makes it public again).
 */
export async function unpublishEpisode(user: SessionUser, id: string): Promise<EpisodeDetail> {
  const row = await getOwnedEpisode(db(), user.id, id);
  if (row.run.status === "running") throw new ConflictError("busy", "Wait until the current step finishes.");
  if (!row.publishedAt) throw new ConflictError("not_published", "This episode is not in the feed.");
  const keys = publishedKeysOf(row);
  await control.rewind(engine(), EPISODE_PLAN, row.runId, "publish");
  await updateEpisode(db(), row.id, { publishedAt: null, audioKey: null, audioBytes: null, files: Prisma.DbNull });
  await requestFeedRebuild(row.showId);
  await deleteQuietly(keys);
  await publishEpisodeRun(db(), row.runId).catch(() => {});
  return getEpisodeDetail(user, id);
}

/** Deletes the episode, its run and its files; a published one leaves the feed. */
export async function deleteEpisodeFor(user: SessionUser, id: string): Promise<void> {
  const row = await getOwnedEpisode(db(), user.id, id);
  const keys = [...publishedKeysOf(row), row.sourceKey, coverKey(row.showId, row.id)];
  // The run owns the episode (deleting it cascades); a step still running finds its run
  // gone at its next progress report and stops.
  await db().workflowRun.delete({ where: { id: row.runId } });
  if (row.publishedAt) await requestFeedRebuild(row.showId);
  await deleteQuietly(keys);
}

/** Asks the worker to rebuild a show's feed (after a change outside an episode's run). */
export async function requestFeedRebuild(showId: string): Promise<void> {
  await enqueue("podcast-feed", { showId, changedAt: Date.now() });
}

async function deleteQuietly(keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    await storage()
      .delete(key)
      .catch((err) => log().warn({ key, err: (err as Error).message }, "could not delete a podcast file"));
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;
