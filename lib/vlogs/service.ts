// What the HTTP edge asks of the vlog domain: make one, steer its workflow (proceed,
// resume), edit the storyboard, manage the public share link, and delete it.
import { z } from "zod";
import type { SessionUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { ConflictError, InvalidInputError, NotFoundError } from "@/lib/errors";
import { workflowQueues } from "@/lib/jobs";
import { findOwnedMedia } from "@/lib/media/repository";
import * as control from "@/lib/workflow/control";
import { firstStep, jobOf } from "@/lib/workflow/plan";
import { createRun } from "@/lib/workflow/repository";
import { publishVlogRun } from "./live";
import { DEFAULT_STYLE, MAX_TITLE_CHARS, RESOLUTIONS, STYLE_NAMES, VLOG_KIND, VLOG_PLAN, type VlogResolution, type VlogRunInput, type VlogStyle } from "./plan";
import { log } from "@/lib/log";
import { storage } from "@/lib/storage/instance";
import { removePrefix } from "@/lib/storage/remove";
import { createVlog, deleteVlogRow, getOwnedVlog, saveStoryboard, setShareToken, vlogStoragePrefix } from "./repository";
import { newShareToken } from "./share";
import { applyStoryboardPatch, type StoryboardPatch } from "./storyboard";
import { storyboardOf, toVlogDetail, type VlogDetail } from "./view";

export const createVlogSchema = z.object({
  mediaIds: z.array(z.string().uuid("Not a photo id.")).min(1, "Select at least one photo."),
  title: z
    .string()
    .transform((s) => s.replace(/\s+/g, " ").trim())
    .pipe(z.string().max(MAX_TITLE_CHARS, `At most ${MAX_TITLE_CHARS} characters.`))
    .optional()
    .nullable(),
  style: z.enum(STYLE_NAMES as [VlogStyle, ...VlogStyle[]]).default(DEFAULT_STYLE),
  resolution: z.enum(Object.keys(RESOLUTIONS) as [VlogResolution, ...VlogResolution[]]).default("720p"),
  /** Run straight through to the video without stopping at the storyboard. */
  autoProgress: z.boolean().optional(),
});
export type CreateVlogInput = z.input<typeof createVlogSchema>;

const engineDeps = () => ({ db: db(), ...workflowQueues });

const STALE_STORYBOARD = "The storyboard changed since you loaded it. Reload to see the latest version.";

async function detail(user: SessionUser, id: string): Promise<VlogDetail> {
  return toVlogDetail(await getOwnedVlog(db(), user.id, id), env().APP_URL);
}

/**
 * Records the vlog and its workflow run, and queues the first step. Answers at once; the
 * worker does the rest. Every photo must be the user's and already analysed.
 */
export async function createVlogFor(user: SessionUser, input: z.infer<typeof createVlogSchema>): Promise<{ vlogId: string; status: "processing" }> {
  const config = env();
  const ids = [...new Set(input.mediaIds)];
  if (ids.length > config.VLOG_MAX_PHOTOS) {
    throw new InvalidInputError({ mediaIds: "Too many photos." }, `A vlog can use at most ${config.VLOG_MAX_PHOTOS} photos.`);
  }
  const media = await findOwnedMedia(db(), user.id, ids);
  if (media.length !== ids.length) throw new NotFoundError("One of those photos");
  const pending = media.filter((m) => m.status !== "done");
  if (pending.length > 0) {
    throw new InvalidInputError(
      { mediaIds: "Only analysed photos can go into a vlog." },
      `${pending.length === 1 ? "One photo is" : `${pending.length} photos are`} not analysed yet (or failed). Choose analysed photos only.`,
    );
  }
  const autoProgressPhases = input.autoProgress ?? config.AUTO_PROGRESS_PHASES;
  const { vlog, run } = await db().$transaction(async (tx) => {
    const run = await createRun(tx, VLOG_PLAN, {
      kind: VLOG_KIND,
      ownerId: user.id,
      input: {},
      autoProgressSteps: input.autoProgress ? true : config.AUTO_PROGRESS_STEPS,
      autoProgressPhases,
    });
    const vlog = await createVlog(tx, {
      ownerId: user.id,
      runId: run.id,
      title: input.title || null,
      style: input.style,
      resolution: input.resolution,
      mediaIds: ids,
    });
    const runInput: VlogRunInput = { vlogId: vlog.id };
    await tx.workflowRun.update({ where: { id: run.id }, data: { input: { ...runInput } } });
    return { vlog, run };
  });
  const first = firstStep(VLOG_PLAN);
  try {
    await workflowQueues.enqueue(jobOf(VLOG_PLAN, first.phase, first.step), { runId: run.id, phase: first.phase, step: first.step, generation: 0 });
  } catch (err) {
    // Nothing half-made: without its first job the vlog would wait forever.
    await db().workflowRun.delete({ where: { id: run.id } }).catch(() => {});
    throw err;
  }
  await publishVlogRun(db(), run.id);
  return { vlogId: vlog.id, status: "processing" };
}

export async function getVlogDetail(user: SessionUser, id: string): Promise<VlogDetail> {
  return detail(user, id);
}

/** "Render" (or "continue"): starts the step the run is waiting at. */
export async function proceedVlog(user: SessionUser, id: string): Promise<VlogDetail> {
  const row = await getOwnedVlog(db(), user.id, id);
  await control.proceed(engineDeps(), VLOG_PLAN, row.runId);
  await publishVlogRun(db(), row.runId);
  return detail(user, id);
}

/** Continues from the last step that succeeded. */
export async function resumeVlog(user: SessionUser, id: string): Promise<VlogDetail> {
  const row = await getOwnedVlog(db(), user.id, id);
  await control.resume(engineDeps(), VLOG_PLAN, row.runId);
  await publishVlogRun(db(), row.runId);
  return detail(user, id);
}

/**
 * Edits the storyboard. Allowed once it exists and while no step runs; if the video was
 * already rendered (or the render failed), the run goes back to wait before the render
 * phase, so pressing Render makes a new video from the edited storyboard.
 */
export async function editStoryboard(user: SessionUser, id: string, patch: StoryboardPatch): Promise<VlogDetail> {
  const row = await getOwnedVlog(db(), user.id, id);
  const doc = storyboardOf(row);
  if (!doc) throw new ConflictError("not_ready", "The storyboard is not ready yet.");
  if (row.run.status === "running") throw new ConflictError("busy", "Wait until the current step finishes before editing.");
  if (patch.baseVersion !== undefined && patch.baseVersion !== row.storyboardVersion) {
    throw new ConflictError("stale", STALE_STORYBOARD);
  }
  const next = applyStoryboardPatch(doc, patch, row.mediaIds);
  // Rewind first: if that is refused (a step just started), the storyboard stays as it was.
  const renderStarted = row.run.phase === "render" && !(row.run.status === "waiting" && row.run.step === "think");
  if (renderStarted || row.run.status === "completed" || row.run.status === "failed") {
    await control.rewind(engineDeps(), VLOG_PLAN, row.runId, "render");
  }
  const saved = await saveStoryboard(db(), row.id, next, row.storyboardVersion);
  if (!saved) throw new ConflictError("stale", STALE_STORYBOARD);
  await publishVlogRun(db(), row.runId);
  return detail(user, id);
}

/** Makes (or replaces) the public link. A replaced link stops working at once. */
export async function shareVlog(user: SessionUser, id: string): Promise<VlogDetail> {
  const row = await getOwnedVlog(db(), user.id, id);
  if (!row.videoKey) throw new ConflictError("not_ready", "There is no video to share yet.");
  await setShareToken(db(), row.id, newShareToken());
  return detail(user, id);
}

export async function unshareVlog(user: SessionUser, id: string): Promise<VlogDetail> {
  const row = await getOwnedVlog(db(), user.id, id);
  await setShareToken(db(), row.id, null);
  return detail(user, id);
}

/**
 * Deletes the vlog: its row with its workflow run and run history (so its share link stops
 * working at once), then its video, poster and every render's files. A render still running
 * finds its run gone at its next report and stops; whatever it writes after is collected as
 * an orphan.
 */
export async function deleteVlogFor(user: SessionUser, id: string): Promise<void> {
  const row = await getOwnedVlog(db(), user.id, id);
  await deleteVlogRow(db(), row);
  const files = await removePrefix(storage(), vlogStoragePrefix(row.id));
  log().info({ vlogId: row.id, files }, "vlog deleted");
}
