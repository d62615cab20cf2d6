// Publish → encode (the podcast-encode queue, few at a time): the reviewed episode as the
// MP3 listeners download — −16 LUFS, true peak ≤ −1 dBTP, CBR 128k stereo / 64k mono, ID3
// tags and chapters from the review fields, the episode's cover (or the show's artwork).
// The MP3 goes straight to storage under this run's generation: the store step may run on
// another worker, so a file on this machine's disk would not reach it. A retry after the
// upload finished (the worker died just after) reuses the stored file (checkpoint).
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { FfmpegError, runCapture } from "@/lib/ffmpeg/run";
import type { Json } from "@/lib/workflow/types";
import { normaliseChapters, type Chapter } from "../chapters";
import { encodeEpisode } from "../encode";
import { IMMUTABLE, publishedKey } from "../keys";
import type { LoudnessMeasurement } from "../loudness";
import { getEpisode } from "../repository";
import { showNotesToText } from "../show-notes";
import { loadEpisode, percent, reporter, withLocalCopy, type EpisodeCtx, type EpisodeStepDeps } from "./deps";
import type { ProbeOutput } from "./probe";

export interface EncodeOutput {
  audioKey: string;
  bytes: number;
  /** Of the MP3, read back by ffprobe (the feed's itunes:duration). */
  durationSeconds: number;
  channels: number;
  bitrateKbps: number;
  sampleRate: number;
  normalization: string;
  loudnessAfter: LoudnessMeasurement;
}

export async function encodeStep(deps: EpisodeStepDeps, ctx: EpisodeCtx): Promise<Json> {
  const { episode, show } = await loadEpisode(deps, ctx);
  const saved = ctx.checkpoint as unknown as EncodeOutput | null;
  if (saved?.audioKey && (await deps.storage.stat(saved.audioKey))?.size === saved.bytes) return saved as unknown as Json;

  const probe = ctx.outputs.analyse?.probe as unknown as ProbeOutput;
  const before = (episode.loudness as { before?: LoudnessMeasurement } | null)?.before ?? null;
  const duration = episode.durationSec ?? probe.durationSeconds;
  const output = path.join(deps.tmpDir, `episode-${randomUUID()}.mp3`);
  const coverSource = probe.coverKey ?? show.artworkKey;
  await ctx.progress(0.01, "Encoding: 0%");
  try {
    const encode = (coverFile?: string) =>
      withLocalCopy(
        deps.storage,
        episode.sourceKey,
        deps.tmpDir,
        (input) =>
          encodeEpisode({
            ffmpeg: deps.ffmpeg,
            input,
            output,
            durationSeconds: duration,
            channels: probe.channels,
            loudness: before,
            tags: {
              title: episode.title || episode.originalName,
              artist: show.author,
              album: show.title,
              comment: episode.summary ?? (episode.showNotes ? showNotesToText(episode.showNotes) : undefined),
              date: String(new Date().getUTCFullYear()),
              genre: "Podcast",
            },
            chapters: normaliseChapters((episode.chapters as unknown as Chapter[] | null) ?? [], duration),
            coverFile,
            signal: ctx.signal,
            onProgress: reporter(ctx, 0.01, 0.95, (f) => `Encoding: ${percent(f)}`),
          }),
        ctx.signal,
      );
    const result = coverSource ? await withLocalCopy(deps.storage, coverSource, deps.tmpDir, (cover) => encode(cover), ctx.signal) : await encode();

    await ctx.progress(0.96, "Checking the MP3");
    const durationSeconds = await mp3Duration(deps.ffprobe, output);
    const audioKey = publishedKey(show.id, episode.id, ctx.run.generation, "audio");
    await ctx.progress(0.97, "Uploading the MP3");
    await deps.storage.putFile(audioKey, output, "audio/mpeg", { cacheControl: IMMUTABLE });
    // Deleted while encoding: nothing will ever point at this file.
    if (!(await getEpisode(deps.db, episode.id))) {
      await deps.storage.delete(audioKey);
      return { deleted: true };
    }
    const out: EncodeOutput = {
      audioKey,
      bytes: result.bytes,
      durationSeconds,
      channels: result.channels,
      bitrateKbps: result.bitrateKbps,
      sampleRate: result.sampleRate,
      normalization: result.normalization,
      loudnessAfter: result.loudnessAfter,
    };
    await ctx.saveCheckpoint(out as unknown as Json);
    return out as unknown as Json;
  } finally {
    await rm(output, { force: true });
  }
}

/** The MP3's duration as ffprobe reads it (what podcast apps will see). */
export async function mp3Duration(ffprobe: string, file: string): Promise<number> {
  const { stdout } = await runCapture(ffprobe, ["-v", "error", "-show_entries", "format=duration", "-of", "json", file], { label: "ffprobe" });
  const seconds = Number((JSON.parse(stdout) as { format?: { duration?: string } }).format?.duration);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new FfmpegError("The encoded MP3 could not be read back.", "transient");
  return seconds;
}
