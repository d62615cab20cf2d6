// What the episode workflow's steps need, given by the worker (worker/processors/podcast/),
// and the helpers they share: the episode and show of a run, a local copy of a stored file.
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Db } from "@/lib/db";
import type { Storage } from "@/lib/storage/types";
import { ConflictError } from "@/lib/errors";
import type { StepContext } from "@/lib/workflow/types";
import type { EpisodeRunInput } from "../plan";
import { getEpisode, getShow } from "../repository";
import type { UnderstandProvider } from "../understand";
import type { UrlConfig } from "../urls";

export interface EpisodeStepDeps {
  db: Db;
  storage: Storage;
  ffmpeg: string;
  ffprobe: string;
  /** Scratch space for copies and encodes (same disk as local storage: stores are renames). */
  tmpDir: string;
  /** PODCAST_MAX_MINUTES */
  maxMinutes: number;
  /** MAX_PIXELS, for cover art found in an upload. */
  maxPixels: number;
  urls: UrlConfig;
  understand: UnderstandProvider;
  /** Timeout of one notification request (Discord, the show's webhook). Default 10 s. */
  notifyTimeoutMs?: number;
}

export type EpisodeCtx = StepContext<EpisodeRunInput>;

/** The run's episode (with its transcript) and its show, as they are now. */
export async function loadEpisode(deps: Pick<EpisodeStepDeps, "db">, ctx: Pick<EpisodeCtx, "run">) {
  const episode = await getEpisode(deps.db, ctx.run.input.episodeId);
  if (!episode) throw new ConflictError("episode_deleted", "This episode was deleted.");
  const show = await getShow(deps.db, episode.showId);
  if (!show) throw new ConflictError("show_deleted", "This episode's show was deleted.");
  return { episode, show };
}

/**
 * Runs `fn` with the stored object at `key` copied to a local file (ffmpeg reads files),
 * streamed so memory stays flat whatever its size; the copy is removed afterwards unless
 * `fn` moved it away (e.g. into storage).
 */
export async function withLocalCopy<T>(storage: Storage, key: string, tmpDir: string, fn: (file: string) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const file = path.join(tmpDir, `copy-${randomUUID()}`);
  try {
    const { stream } = await storage.getStream(key);
    await pipeline(stream, createWriteStream(file), { signal });
    return await fn(file);
  } finally {
    await rm(file, { force: true });
  }
}

/** A progress reporter for synchronous callbacks (ffmpeg's): never throws, never floods. */
export function reporter(ctx: Pick<EpisodeCtx, "progress">, from: number, to: number, note: (fraction: number) => string) {
  return (fraction: number) => {
    const f = Math.min(1, Math.max(0, fraction));
    // A superseded run aborts the step's signal, which stops ffmpeg; nothing to do here.
    ctx.progress(from + (to - from) * f, note(f)).catch(() => {});
  };
}

export const percent = (f: number) => `${Math.floor(f * 100)}%`;
