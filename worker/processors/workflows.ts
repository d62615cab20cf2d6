// The worker's workflow engine: which workflows it runs (vlogs, podcast episodes) and with
// which writers, renderers and understanders, chosen from configuration. Gemini writes
// storyboards when GEMINI_API_KEY is set; Veo renders only when VLOG_RENDERER=veo as well
// (it is slow and paid). Episodes are understood by Gemini audio with a key, locally
// without (lib/podcasts/understand.ts).
import os from "node:os";
import path from "node:path";
import { mkdirSync } from "node:fs";
import { createVeoClient } from "@/lib/ai/veo";
import type { Db } from "@/lib/db";
import type { Env, StepTimeouts } from "@/lib/env";
import { log } from "@/lib/log";
import { workflowQueues, type WorkflowStepJobName } from "@/lib/jobs";
import type { Storage } from "@/lib/storage/types";
import { publishVlogRun } from "@/lib/vlogs/live";
import { VLOG_KIND } from "@/lib/vlogs/plan";
import { createGeminiWriter, localWriter } from "@/lib/vlogs/writer-gemini";
import type { EngineDeps } from "@/lib/workflow/engine";
import type { WorkflowDefinition, WorkflowPlan } from "@/lib/workflow/types";
import type { Redis } from "ioredis";
import { createCircuit } from "@/lib/ai/circuit";
import { gatedFetch } from "@/lib/ai/provider-gate";
import { createGeminiUnderstand } from "@/lib/podcasts/gemini-understander";
import { chooseUnderstandProvider } from "@/lib/podcasts/understand";
import { publishEpisodeRun } from "@/lib/podcasts/live";
import { EPISODE_KIND } from "@/lib/podcasts/plan";
import type { EpisodeStepDeps } from "@/lib/podcasts/steps/deps";
import { episodeWorkflow } from "./podcast/steps";
import { vlogWorkflow, type VlogStepDeps } from "./vlog/steps";

type WorkflowEnv = Pick<
  Env,
  | "GEMINI_API_KEY"
  | "GEMINI_MODEL"
  | "GEMINI_BASE_URL"
  | "AI_TIMEOUT_MS"
  | "VLOG_RENDERER"
  | "VEO_MODEL"
  | "VEO_POLL_MS"
  | "VEO_POLL_MAX_MS"
  | "VEO_TIMEOUT_MS"
  | "FFMPEG_PATH"
  | "FFPROBE_PATH"
  | "DATA_DIR"
  | "APP_URL"
  | "PUBLIC_MEDIA_BASE_URL"
  | "PODCAST_MAX_MINUTES"
  | "MAX_PIXELS"
  | "QUEUE_PREFIX"
  | "AI_CIRCUIT_OPEN_MS"
  | "STEP_TIMEOUT_MS"
>;

/** A step's time limit: its own plan step's, else its step job's, else every step's. */
export function stepTimeoutOf(timeouts: StepTimeouts, step: { kind: string; phase: string; step: string; job: string }): number {
  return timeouts.byStep[`${step.kind}.${step.phase}.${step.step}`] ?? timeouts.byStep[step.job] ?? timeouts.defaultMs;
}

/** Scratch space for renders: under DATA_DIR (same disk as local storage, so uploads are renames). */
function scratchDir(dataDir: string): string {
  const dir = path.join(path.resolve(dataDir), "tmp");
  // Paths go into an ffmpeg filtergraph; odd characters would need escaping there.
  if (!/^[A-Za-z0-9_./-]+$/.test(dir)) return os.tmpdir();
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The writer and Veo send through the worker's Gemini gate when it gives us its Redis: a 429's
 * delay then holds them and every other Gemini client of every worker (lib/ai/provider-gate.ts).
 */
export function vlogStepDeps(base: { db: Db; storage: Storage; redis?: Redis; prefix?: string }, config: WorkflowEnv): VlogStepDeps {
  const apiKey = config.GEMINI_API_KEY?.trim();
  const fetch = base.redis
    ? gatedFetch({ circuit: createCircuit({ redis: base.redis, prefix: base.prefix ?? config.QUEUE_PREFIX, openMs: config.AI_CIRCUIT_OPEN_MS }) })
    : undefined;
  const writer = apiKey
    ? createGeminiWriter({ apiKey, model: config.GEMINI_MODEL, baseUrl: config.GEMINI_BASE_URL, timeoutMs: config.AI_TIMEOUT_MS, fetch })
    : localWriter;
  const veo =
    config.VLOG_RENDERER === "veo" && apiKey
      ? createVeoClient({
          apiKey,
          model: config.VEO_MODEL,
          baseUrl: config.GEMINI_BASE_URL,
          timeoutMs: config.AI_TIMEOUT_MS,
          pollMs: config.VEO_POLL_MS,
          pollMaxMs: config.VEO_POLL_MAX_MS,
          totalTimeoutMs: config.VEO_TIMEOUT_MS,
          fetch,
        })
      : null;
  if (config.VLOG_RENDERER === "veo" && !apiKey) log().warn("VLOG_RENDERER=veo needs GEMINI_API_KEY; rendering vlogs locally with ffmpeg instead");
  return { ...base, writer, veo, ffmpeg: config.FFMPEG_PATH, ffprobe: config.FFPROBE_PATH, tmpDir: scratchDir(config.DATA_DIR) };
}

/**
 * Episodes are understood by Gemini audio when GEMINI_API_KEY is set (its 429 delays shared
 * with every worker through the circuit, when the worker gives us its Redis), locally otherwise.
 */
export function episodeStepDeps(base: { db: Db; storage: Storage; redis?: Redis; prefix?: string }, config: WorkflowEnv): EpisodeStepDeps {
  const tmpDir = scratchDir(config.DATA_DIR);
  const circuit = base.redis ? createCircuit({ redis: base.redis, prefix: base.prefix ?? config.QUEUE_PREFIX, openMs: config.AI_CIRCUIT_OPEN_MS }) : undefined;
  return {
    db: base.db,
    storage: base.storage,
    ffmpeg: config.FFMPEG_PATH,
    ffprobe: config.FFPROBE_PATH,
    tmpDir,
    maxMinutes: config.PODCAST_MAX_MINUTES,
    maxPixels: config.MAX_PIXELS,
    urls: { appUrl: config.APP_URL, publicMediaBaseUrl: config.PUBLIC_MEDIA_BASE_URL },
    understand: chooseUnderstandProvider(config, createGeminiUnderstand({ circuit, ffmpeg: config.FFMPEG_PATH, tmpDir })),
  };
}

export function workflowEngine(
  base: { db: Db; storage: Storage; redis?: Redis; prefix?: string },
  config: WorkflowEnv,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  extra: Record<string, WorkflowDefinition<any, WorkflowPlan<WorkflowStepJobName>>> = {},
): EngineDeps<WorkflowStepJobName> {
  return {
    db: base.db,
    definitions: { [VLOG_KIND]: vlogWorkflow(vlogStepDeps(base, config)), [EPISODE_KIND]: episodeWorkflow(episodeStepDeps(base, config)), ...extra },
    enqueue: workflowQueues.enqueue,
    stepTimeoutMs: (step) => stepTimeoutOf(config.STEP_TIMEOUT_MS, step),
    announce: (run) =>
      run.kind === VLOG_KIND ? publishVlogRun(base.db, run.id) : run.kind === EPISODE_KIND ? publishEpisodeRun(base.db, run.id) : Promise.resolve(),
  };
}
