// The vlog workflow's six steps (see lib/vlogs/plan.ts for the plan):
//   storyboard: THINK choose and order shots · EXECUTE write captions and a title ·
//               INTEGRATE save the storyboard document
//   render:     THINK plan the timeline · EXECUTE render the video (ffmpeg or Veo) ·
//               INTEGRATE store video and poster, make the share link, mark it done
// Each handler reads what it needs (earlier outputs, the vlog row) and returns JSON that
// the engine stores as its output; none keeps state in memory between steps.
import type { VeoClient } from "@/lib/ai/veo";
import type { Db } from "@/lib/db";
import { ConflictError } from "@/lib/errors";
import { findOwnedMediaWithAnalysis } from "@/lib/media/repository";
import type { Storage } from "@/lib/storage/types";
import { VLOG_PLAN, type VlogResolution, type VlogRunInput, type VlogStyle } from "@/lib/vlogs/plan";
import { getVlog, saveStoryboard, saveVideo, setShareToken } from "@/lib/vlogs/repository";
import { selectShots, type Candidate, type ShotSelection } from "@/lib/vlogs/select";
import { supersededKeys } from "@/lib/vlogs/render-plan";
import { newShareToken } from "@/lib/vlogs/share";
import { draftStoryboard, liveShots } from "@/lib/vlogs/storyboard";
import { buildTimeline, type Timeline } from "@/lib/vlogs/timeline";
import { storyboardOf } from "@/lib/vlogs/view";
import type { StoryboardWriter } from "@/lib/vlogs/writer-gemini";
import type { ShotFacts, WrittenStoryboard } from "@/lib/vlogs/writer-local";
import type { Json, StepContext, WorkflowDefinition } from "@/lib/workflow/types";
import { measureQuality } from "@/lib/media/image";
import { renderVideo, type RenderResult } from "./render";

export interface VlogStepDeps {
  db: Db;
  storage: Storage;
  writer: StoryboardWriter;
  veo: VeoClient | null;
  ffmpeg: string;
  ffprobe: string;
  tmpDir: string;
}

type Ctx = StepContext<VlogRunInput>;

async function loadVlog(deps: VlogStepDeps, ctx: Ctx) {
  const vlog = await getVlog(deps.db, ctx.run.input.vlogId);
  if (!vlog) throw new ConflictError("vlog_deleted", "This vlog was deleted.");
  return vlog;
}

async function loadMedia(deps: VlogStepDeps, ownerId: string, ids: readonly string[]) {
  const rows = await findOwnedMediaWithAnalysis(deps.db, ownerId, ids);
  return new Map(rows.map((r) => [r.id, r]));
}

export function vlogWorkflow(deps: VlogStepDeps): WorkflowDefinition<VlogRunInput, typeof VLOG_PLAN> {
  return {
    plan: VLOG_PLAN,
    handlers: {
      storyboard: {
        async think(ctx) {
          const vlog = await loadVlog(deps, ctx);
          const media = await loadMedia(deps, vlog.ownerId, vlog.mediaIds);
          const candidates: Candidate[] = [];
          const unusable: ShotSelection["dropped"] = [];
          for (const [index, id] of vlog.mediaIds.entries()) {
            const m = media.get(id);
            if (!m) unusable.push({ mediaId: id, reason: "This photo was deleted." });
            else if (m.status !== "done" || !m.analysis) unusable.push({ mediaId: id, reason: "This photo is not analysed." });
            else {
              const quality = await measureQuality(await deps.storage.getBuffer(m.analysis.thumbnailKey));
              candidates.push({ mediaId: id, index, takenAt: wallClock(m.analysis.takenAt), phash: m.analysis.phash, ...quality });
            }
            await ctx.progress((index + 1) / vlog.mediaIds.length, `Looked at ${index + 1} of ${vlog.mediaIds.length} photos`);
          }
          if (candidates.length === 0) throw new ConflictError("no_usable_photos", "None of the selected photos can be used: they are missing or not analysed.");
          const selection = selectShots(candidates);
          return { shots: selection.shots, dropped: [...unusable, ...selection.dropped] } as unknown as Json;
        },

        async execute(ctx) {
          const vlog = await loadVlog(deps, ctx);
          const selection = ctx.outputs.storyboard?.think as unknown as ShotSelection;
          const media = await loadMedia(deps, vlog.ownerId, selection.shots.map((s) => s.mediaId));
          const facts: ShotFacts[] = selection.shots.map((s) => {
            const a = media.get(s.mediaId)?.analysis;
            return { mediaId: s.mediaId, takenAt: s.takenAt, caption: a?.caption ?? "", tags: a?.tags ?? [], provider: a?.provider ?? "local" };
          });
          await ctx.progress(0.1, `Writing with ${deps.writer.name === "local" ? "the local writer" : deps.writer.name.replace(/^gemini:/, "Gemini ")}`);
          const written = await deps.writer.write(facts, { style: vlog.style as VlogStyle, title: vlog.title }, ctx.signal);
          return written as unknown as Json;
        },

        async integrate(ctx) {
          const vlog = await loadVlog(deps, ctx);
          const selection = ctx.outputs.storyboard?.think as unknown as ShotSelection;
          const written = ctx.outputs.storyboard?.execute as unknown as WrittenStoryboard;
          const doc = draftStoryboard(selection, written, vlog.style);
          const saved = await saveStoryboard(deps.db, vlog.id, doc);
          return { title: doc.title, shots: doc.shots.length, dropped: doc.dropped.length, storyboardVersion: saved?.storyboardVersion ?? null };
        },
      },

      render: {
        async think(ctx) {
          const vlog = await loadVlog(deps, ctx);
          const doc = storyboardOf(vlog);
          // Shots whose photo was deleted stay in the storyboard (marked) but not in a new video.
          const shots = doc ? liveShots(doc) : [];
          if (!doc || shots.length === 0) throw new ConflictError("empty_storyboard", "The storyboard has no shots: add at least one photo back.");
          const timeline = buildTimeline({ ...doc, shots }, { resolution: vlog.resolution as VlogResolution });
          return { storyboardVersion: vlog.storyboardVersion, timeline } as unknown as Json;
        },

        async execute(ctx) {
          const vlog = await loadVlog(deps, ctx);
          const { timeline } = ctx.outputs.render?.think as unknown as { timeline: Timeline };
          const media = await loadMedia(deps, vlog.ownerId, timeline.shots.map((s) => s.mediaId));
          const originals: Record<string, string> = {};
          for (const shot of timeline.shots) {
            const m = media.get(shot.mediaId);
            if (!m) throw new ConflictError("photo_deleted", "A photo in the storyboard was deleted: remove it from the storyboard and render again.");
            originals[shot.mediaId] = m.storageKey;
          }
          return renderVideo(
            {
              vlogId: vlog.id,
              generation: ctx.run.generation,
              style: vlog.style as VlogStyle,
              timeline,
              originals,
              signal: ctx.signal,
              progress: ctx.progress,
              checkpoint: ctx.checkpoint,
              saveCheckpoint: ctx.saveCheckpoint,
            },
            deps,
          );
        },

        async integrate(ctx) {
          const vlog = await loadVlog(deps, ctx);
          const video = ctx.outputs.render?.execute as unknown as RenderResult;
          const previous = supersededKeys(vlog, video);
          const firstRender = !vlog.videoKey;
          await saveVideo(deps.db, vlog.id, {
            videoKey: video.videoKey,
            posterKey: video.posterKey,
            durationSec: video.durationSec,
            width: video.width,
            height: video.height,
            bytes: video.bytes,
            renderer: video.renderer,
          });
          // The first finished video gets its share link; later renders keep whatever the
          // owner decided (a revoked link stays revoked).
          if (firstRender && !vlog.shareToken) await setShareToken(deps.db, vlog.id, newShareToken());
          for (const key of previous) await deps.storage.delete(key).catch(() => {});
          return { videoKey: video.videoKey, durationSec: video.durationSec, replaced: previous.length, shareLinkCreated: firstRender };
        },
      },
    },
  };
}

/** EXIF times are stored as camera wall clock "as if UTC" (see analyze-media). */
function wallClock(date: Date | null): string | null {
  return date ? date.toISOString().slice(0, 19) : null;
}
