// Render EXECUTE: turns a timeline into an MP4 and a poster frame in storage. Two ways to
// get each shot's moving picture: the local way (the photo itself, animated by ffmpeg's
// pan-and-zoom) or Veo (an AI-animated clip per photo). Either way ffmpeg composes the
// result — title card, captions, crossfades — in a child process.
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import type { VeoClient } from "@/lib/ai/veo";
import { buildRenderArgs, posterArgs, type ShotSource } from "@/lib/vlogs/ffmpeg-args";
import type { VlogStyle } from "@/lib/vlogs/plan";
import { onScreenText, renderKeys, stillSize, veoClipRequest } from "@/lib/vlogs/render-plan";
import type { Timeline } from "@/lib/vlogs/timeline";
import type { Storage } from "@/lib/storage/types";
import type { Json } from "@/lib/workflow/types";
import { runFfmpeg } from "@/lib/ffmpeg/run";
import { probeVideo } from "./probe-video";

export interface RenderDeps {
  storage: Storage;
  ffmpeg: string;
  ffprobe: string;
  /** Where scratch directories are made (paths must be filtergraph-safe). */
  tmpDir: string;
  veo: VeoClient | null;
}

export interface RenderJob {
  vlogId: string;
  generation: number;
  style: VlogStyle;
  timeline: Timeline;
  /** Storage key of each shot's original photo, by media id. */
  originals: Record<string, string>;
  signal: AbortSignal;
  progress(fraction: number, note?: string): Promise<void>;
  checkpoint: Json;
  saveCheckpoint(value: Json): Promise<void>;
}

export interface RenderResult {
  [key: string]: Json;
  videoKey: string;
  posterKey: string;
  durationSec: number;
  width: number;
  height: number;
  bytes: number;
  renderer: string;
  /** Wall time of the ffmpeg compose alone, and of the whole step. */
  ffmpegMs: number;
  renderMs: number;
}

export async function renderVideo(job: RenderJob, deps: RenderDeps): Promise<RenderResult> {
  const started = Date.now();
  const dir = await mkdtemp(path.join(deps.tmpDir, "render-"));
  try {
    const { timeline } = job;
    const useVeo = deps.veo !== null;
    const share = useVeo ? 0.7 : 0.15;
    const sources = useVeo ? await veoClips(job, deps, dir, share) : await stills(job, deps, dir, share);

    // Captions go through files so no text ever needs filtergraph escaping.
    const text = onScreenText(timeline);
    const captionFiles = await Promise.all(
      text.captions.map(async (caption, i) => {
        if (caption === null) return null;
        const file = path.join(dir, `caption-${i}.txt`);
        await writeFile(file, caption, "utf8");
        return file;
      }),
    );
    let titleFile: string | null = null;
    if (text.title !== null) {
      titleFile = path.join(dir, "title.txt");
      await writeFile(titleFile, text.title, "utf8");
    }

    const output = path.join(dir, "video.mp4");
    const args = buildRenderArgs({ timeline, sources, captionFiles, titleFile, output });
    await job.progress(share, "Encoding the video");
    let pending: Promise<void> = Promise.resolve();
    const ffmpegStarted = Date.now();
    await runFfmpeg(deps.ffmpeg, args, {
      label: "The renderer",
      signal: job.signal,
      totalSeconds: timeline.total,
      onProgress: (f) => {
        // Progress writes are throttled by the engine; chain them so they never overlap.
        pending = pending.then(() => job.progress(share + f * (0.97 - share), `Encoding: ${Math.round(f * 100)}%`)).catch(() => {});
      },
    });
    const ffmpegMs = Date.now() - ffmpegStarted;
    await pending;
    if (job.signal.aborted) throw job.signal.reason;

    // The probe reads the video while the poster is made. The poster, which writes into the
    // scratch directory, is awaited first, so nothing is still writing there when it is removed.
    const poster = path.join(dir, "poster.jpg");
    const probing = probeVideo(deps.ffprobe, output);
    probing.catch(() => {}); // awaited below; if the poster fails, that is the error reported
    await runFfmpeg(deps.ffmpeg, posterArgs(output, timeline, poster), { label: "The renderer", signal: job.signal });
    const probe = await probing;
    const bytes = (await stat(output)).size;
    const keys = renderKeys(job.vlogId, job.generation);
    await deps.storage.putFile(keys.video, output, "video/mp4");
    await deps.storage.putFile(keys.poster, poster, "image/jpeg");
    await job.progress(1, "Rendered");
    return {
      videoKey: keys.video,
      posterKey: keys.poster,
      durationSec: probe.durationSec,
      width: probe.width,
      height: probe.height,
      bytes,
      renderer: useVeo ? deps.veo!.name : "ffmpeg",
      ffmpegMs,
      renderMs: Date.now() - started,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Photos cropped at once: a JPEG decode runs on one thread, so two keep two cores busy. */
const STILLS_AT_ONCE = 2;

/** Each photo, upright and cropped to the frame's shape at stillSize(). */
async function stills(job: RenderJob, deps: RenderDeps, dir: string, share: number): Promise<ShotSource[]> {
  const { timeline } = job;
  const { width, height } = stillSize(timeline);
  const count = timeline.shots.length;
  const sources: ShotSource[] = timeline.shots.map((_, i) => ({ kind: "still", path: path.join(dir, `shot-${i}.jpg`) }));
  let next = 0;
  let prepared = 0;
  let reported: Promise<void> = Promise.resolve();
  const crop = async () => {
    try {
      for (let i = next++; i < count; i = next++) {
        const original = await deps.storage.getBuffer(job.originals[timeline.shots[i].mediaId]);
        await sharp(original, { failOn: "none", limitInputPixels: 200_000_000 })
          .rotate()
          .resize(width, height, { fit: "cover", position: "attention" })
          .jpeg({ quality: 92 })
          .toFile(sources[i].path);
        const done = ++prepared;
        // One progress write at a time, in order (a superseded run throws here).
        reported = reported.then(() => job.progress((done / count) * share, `Preparing photo ${done} of ${count}`));
        await reported;
      }
    } catch (err) {
      next = count; // the other crop stops after its current photo
      throw err;
    }
  };
  // Both crops end before this returns or throws: none is left writing into the scratch
  // directory while the caller removes it.
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(STILLS_AT_ONCE, count) }, crop));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failed) throw failed.reason;
  return sources;
}

type ClipCheckpoint = { clips: Record<string, { operation?: string; key?: string }> };

/**
 * One Veo clip per shot, one at a time. The operation name and then the stored clip are
 * saved as a checkpoint after each step, so a retry (even on another worker) picks up
 * where the last attempt stopped and never pays for the same clip twice.
 */
async function veoClips(job: RenderJob, deps: RenderDeps, dir: string, share: number): Promise<ShotSource[]> {
  const veo = deps.veo!;
  const { timeline } = job;
  const saved = (job.checkpoint as ClipCheckpoint | null)?.clips ?? {};
  const state: ClipCheckpoint = { clips: { ...saved } };
  const sources: ShotSource[] = [];
  const count = timeline.shots.length;
  for (const [i, shot] of timeline.shots.entries()) {
    const entry = (state.clips[shot.mediaId] ??= {});
    const file = path.join(dir, `clip-${i}.mp4`);
    const base = (i / count) * share;
    if (!entry.key) {
      if (!entry.operation) {
        const original = await deps.storage.getBuffer(job.originals[shot.mediaId]);
        const image = await sharp(original, { failOn: "none" }).rotate().resize(timeline.width, timeline.height, { fit: "cover", position: "attention" }).jpeg({ quality: 90 }).toBuffer();
        entry.operation = await veo.start({ image, ...veoClipRequest(shot, job.style, timeline) }, job.signal);
        await job.saveCheckpoint(state as unknown as Json);
      }
      await job.progress(base, `Veo is animating photo ${i + 1} of ${count}`);
      const video = await veo.waitFor(entry.operation, {
        signal: job.signal,
        onPoll: (polls) => void job.progress(base, `Veo is animating photo ${i + 1} of ${count} (check ${polls})`).catch(() => {}),
      });
      await veo.download(video, file, job.signal);
      const key = renderKeys(job.vlogId, job.generation).clip(shot.mediaId);
      await deps.storage.putBuffer(key, await readFile(file), "video/mp4");
      entry.key = key;
      await job.saveCheckpoint(state as unknown as Json);
    } else {
      await writeFile(file, await deps.storage.getBuffer(entry.key));
    }
    sources.push({ kind: "clip", path: file });
    await job.progress(((i + 1) / count) * share, `Animated photo ${i + 1} of ${count}`);
  }
  return sources;
}
