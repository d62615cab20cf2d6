// The one place that reads process.env. Parsed once with zod; every default makes a
// fresh machine work with no cloud account and no API key (local disk, local analyser).
import path from "node:path";
import { z } from "zod";
import { PROVIDER_NAMES } from "./ai/generate";
import { DEFAULT_AI_PRICES } from "./ai/prices";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** "<count>/<window>", e.g. "10/15m": at most count requests per window (s, m or h). */
const rateLimit = z
  .string()
  .regex(/^\d+\/\d+[smh]$/, { message: 'use "<count>/<window>", e.g. "10/15m"' })
  .transform((v) => {
    const [count, window] = v.split("/");
    const unit = { s: 1_000, m: 60_000, h: 3_600_000 }[window.slice(-1) as "s" | "m" | "h"];
    return { limit: Number(count), windowMs: Number(window.slice(0, -1)) * unit };
  });

/** Milliseconds as a number ("30000"), or with a unit as seed 003 writes them ("30s", "500ms", "2m", "24h"). */
const durationMs = z
  .string()
  .regex(/^\d+(ms|s|m|h)?$/, { message: 'use milliseconds ("30000") or a duration such as "30s", "2m" or "24h"' })
  .transform((v) => {
    const [, n, unit] = /^(\d+)(ms|s|m|h)?$/.exec(v)!;
    return Number(n) * (unit === "s" ? 1_000 : unit === "m" ? 60_000 : unit === "h" ? 3_600_000 : 1);
  })
  .pipe(z.number().int().positive());

/** "false" (default), "true" (one proxy in front) or the number of proxies in front. */
const proxyHops = z
  .string()
  .regex(/^(true|false|yes|no|[0-9])$/, { message: 'use "false", "true" or a number of proxies' })
  .transform((v) => (v === "true" || v === "yes" ? 1 : v === "false" || v === "no" ? 0 : Number(v)));

/** "gemini,openai,anthropic,local": the providers the AI chain tries, in order. */
const providerList = z
  .string()
  .transform((v) => [...new Set(v.split(",").map((p) => p.trim().toLowerCase()).filter(Boolean))])
  .pipe(z.array(z.enum(PROVIDER_NAMES)).min(1, { message: `name at least one of ${PROVIDER_NAMES.join(", ")}` }));

/** JSON {"model": {"input": usd, "output": usd}} per million tokens, merged over the defaults. */
const priceTable = z
  .string()
  .transform((v, ctx) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: 'use JSON such as {"my-model": {"input": 0.5, "output": 1.5}}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.object({ input: z.number().min(0), output: z.number().min(0) })))
  .transform((over) => ({ ...DEFAULT_AI_PRICES, ...over }));

/**
 * Step time limits: "<duration>[,<step>=<duration>…]". The first duration applies to every
 * workflow step; a step kind (a step job of the catalogue: vlog-render, podcast-encode, …)
 * or one plan step (<workflow>.<phase>.<step>, e.g. episode.analyse.understand) may have
 * its own. Durations as durationMs reads them ("300000", "5m", "90s").
 */
export interface StepTimeouts {
  defaultMs: number;
  /** By step job name or "<workflow>.<phase>.<step>". */
  byStep: Record<string, number>;
}

const stepTimeouts = z.string().transform((v, ctx): StepTimeouts => {
  const out: StepTimeouts = { defaultMs: 0, byStep: {} };
  const toMs = (text: string) => durationMs.safeParse(text.trim());
  for (const [i, part] of v.split(",").map((p) => p.trim()).filter(Boolean).entries()) {
    const eq = part.indexOf("=");
    if (i === 0 && eq < 0) {
      const ms = toMs(part);
      if (ms.success) out.defaultMs = ms.data;
      else ctx.addIssue({ code: "custom", message: `"${part}": use milliseconds ("300000") or a duration such as "5m"` });
      continue;
    }
    const key = part.slice(0, eq).trim();
    const ms = eq > 0 ? toMs(part.slice(eq + 1)) : null;
    if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){0,2}$/.test(key) || !ms?.success) {
      ctx.addIssue({ code: "custom", message: `"${part}": use <step>=<duration>, e.g. vlog-render=30m (the first entry may be a plain duration for every step)` });
      continue;
    }
    out.byStep[key] = ms.data;
  }
  if (out.defaultMs === 0) ctx.addIssue({ code: "custom", message: 'start with the time limit of every step, e.g. "5m,vlog-render=30m"' });
  return out;
});

/** Seed 004's 5 minutes per step; renders, encodes and long recordings get longer. */
export const DEFAULT_STEP_TIMEOUTS = "5m,vlog-render=30m,podcast-encode=60m,episode.analyse.probe=30m,episode.analyse.understand=30m";

/** Every variable Framecast reads; compose.yaml is checked against it (lib/deploy-files.test.ts). */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().positive().default(3000),
  /** Public base URL, used in links the app hands out. */
  APP_URL: z.string().url().default("http://localhost:3000"),
  DATABASE_URL: z.string().default("postgresql://postgres@127.0.0.1:5432/framecast"),
  /** Optional Postgres schema (tests give every file its own). */
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).optional(),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  /** Prefix of every BullMQ and event key in Redis (tests give every file its own). */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default("framecast"),
  DATA_DIR: z.string().default(path.resolve(process.cwd(), "data")),

  STORAGE_DRIVER: z.enum(["local", "s3"]).default("local"),
  S3_ENDPOINT: z.string().optional(),
  S3_REGION: z.string().default("auto"),
  S3_BUCKET: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(true),

  GEMINI_API_KEY: z.string().optional(),
  GEMINI_MODEL: z.string().default("gemini-2.5-flash"),
  /** Overrides the Gemini endpoint (tests point it at a stub on 127.0.0.1). */
  GEMINI_BASE_URL: z.string().url().optional(),
  /** Text embeddings for calculate_similarity when Gemini is the chain's choice. */
  GEMINI_EMBEDDING_MODEL: z.string().default("gemini-embedding-001"),
  /** Speech for generate_podcast when Gemini is the chain's choice (espeak-ng otherwise). */
  GEMINI_TTS_MODEL: z.string().default("gemini-2.5-flash-preview-tts"),
  /** Gemini TTS's prebuilt voice, unless a job names one of them as its voice. */
  GEMINI_TTS_VOICE: z.string().default("Kore"),
  AI_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Without a Gemini key, recognise objects and faces with the local model shipped in
   *  npm (lib/ai/vision, docs/local-ai.md); false: colours and EXIF only. */
  LOCAL_VISION: bool.default(true),

  // Text generation for AI jobs (lib/ai/chain.ts): a fallback chain over these providers.
  /** Tried in this order; a provider counts only when configured (gemini: GEMINI_API_KEY,
   *  openai: OPENAI_API_KEY or OPENAI_BASE_URL, anthropic: ANTHROPIC_API_KEY). */
  AI_PROVIDERS: providerList.prefault("gemini,openai,anthropic,local"),
  OPENAI_API_KEY: z.string().optional(),
  /** Any OpenAI-compatible endpoint: https://api.groq.com/openai/v1, http://127.0.0.1:11434/v1 (Ollama)… */
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_MODEL: z.string().default("gpt-4.1-mini"),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  ANTHROPIC_MODEL: z.string().default("claude-haiku-4-5"),
  /** false: only the first configured provider is tried. */
  AI_FALLBACK_ENABLED: bool.default(true),
  /** How long a provider that failed (outage, rate limit, quota) rests, for every worker. */
  AI_CIRCUIT_OPEN_MS: z.coerce.number().int().min(0).default(60_000),
  /**
   * Calls in flight to each provider across all worker processes, photo captions and AI jobs
   * together. Seed 003's 10: one worker's 5 photos (WORKER_CONCURRENCY) and 5 AI jobs at once.
   */
  AI_MAX_CONCURRENT_REQUESTS: z.coerce.number().int().min(1).max(1_000).default(10),
  /** Timeout of one text-generation request, in ms (photo captions use AI_TIMEOUT_MS). */
  AI_REQUEST_TIMEOUT: durationMs.prefault("60000"),
  /** USD per million tokens per model, merged over lib/ai/prices.ts's defaults. */
  AI_PRICES: priceTable.prefault("{}"),

  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(5),
  /**
   * libvips's operation cache in each worker process, in MB (sharp.cache); 0 turns it off.
   * 50 is sharp's own default: turning it off saved no memory in the soak (docs/performance.md).
   */
  SHARP_CACHE_MB: z.coerce.number().int().min(0).max(4096).default(50),
  /** Threads libvips uses per image in the worker (sharp.concurrency); 0 = libvips's default, one per CPU core. */
  SHARP_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(0),

  // The AI jobs API (lib/ai-jobs, docs/jobs.md). Seed 003's names are kept.
  /** AI jobs one worker process runs at once (the seed's worker pool size); default WORKER_CONCURRENCY. */
  JOB_QUEUE_WORKER_COUNT: z.coerce.number().int().min(1).max(100).optional(),
  /** Retries after a failed first try of every retried job (photos, AI jobs, workflow steps): 3 means 4 attempts. */
  JOB_QUEUE_MAX_RETRIES: z.coerce.number().int().min(0).max(20).default(3),
  /** Finished AI jobs (and their results) are deleted this many days after they finished. */
  JOB_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Requests to /api/v1/jobs per API token (or signed-in user) per minute, sustained. */
  RATE_LIMIT_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /** Requests that may arrive at once before the per-minute pace applies (a token bucket's size). */
  RATE_LIMIT_BURST_SIZE: z.coerce.number().int().min(1).max(100_000).default(10),
  /**
   * Addresses on our own network that AI jobs may fetch pages from and deliver webhooks to:
   * "false" (default: public addresses only), "true" (anything: tests only) or a list of
   * exact host names (an operator's intranet).
   */
  AI_JOBS_ALLOW_PRIVATE_HOSTS: z
    .string()
    .transform((v): boolean | string[] => {
      const t = v.trim().toLowerCase();
      if (t === "true" || t === "1" || t === "yes") return true;
      if (t === "false" || t === "0" || t === "no" || t === "") return false;
      return t.split(",").map((h) => h.trim()).filter(Boolean);
    })
    .prefault("false"),
  /**
   * Crash recovery. A worker holds a lock on each job it runs and renews it every
   * lockDuration/2; a job whose lock lapsed (its worker died) is found by the stalled-job
   * check every WORKER_STALLED_INTERVAL_MS and handed to another worker, at most
   * WORKER_MAX_STALLED_COUNT times before it fails. Worst-case takeover after a crash:
   * about lock duration + 2 × stalled interval.
   */
  WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(1_000).default(30_000),
  WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  WORKER_MAX_STALLED_COUNT: z.coerce.number().int().min(0).default(2),
  /**
   * How long one attempt at a workflow step may run before it is stopped (its ffmpeg or
   * provider call aborted, child processes killed) and retried like any transient failure.
   */
  STEP_TIMEOUT_MS: stepTimeouts.prefault(DEFAULT_STEP_TIMEOUTS),
  /** SIGTERM: how long a worker lets in-flight jobs finish before exiting anyway. */
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),

  // Workers that size themselves (worker/autoscale.ts, docs/operations.md). A queue starts at
  // its configured concurrency (WORKER_CONCURRENCY unless the catalogue sets one), clamped
  // to [min, max], and moves within that range with this process's load and its backlog.
  /** false: every queue keeps its configured concurrency. */
  WORKER_AUTOSCALE: bool.default(true),
  WORKER_MIN_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  WORKER_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(10),
  /** Queues to size (comma-separated); default: all but the heavy ones with a fixed concurrency (vlog-render…). */
  WORKER_AUTOSCALE_QUEUES: z
    .string()
    .transform((v) => [...new Set(v.split(",").map((q) => q.trim()).filter(Boolean))])
    .optional(),
  /** Lower concurrency while CPU use is above this share (percent) … */
  WORKER_AUTOSCALE_CPU_PERCENT: z.coerce.number().min(1).max(100).default(70),
  /** … or memory use (of the container's limit when there is one, else of the machine) … */
  WORKER_AUTOSCALE_MEMORY_PERCENT: z.coerce.number().min(1).max(100).default(80),
  /** … or the event loop's p99 delay over the last sample is above this many ms. */
  WORKER_AUTOSCALE_EVENT_LOOP_MS: z.coerce.number().int().min(1).default(200),
  /**
   * Whose CPU counts: "machine" (default: the container's CPU limit when it has one, else the
   * whole machine, so ffmpeg children and neighbours count) or "process" (this process only).
   */
  WORKER_AUTOSCALE_CPU_SCOPE: z.enum(["machine", "process"]).default("machine"),
  /** How often load and backlog are sampled (and the worker reports itself to the admin overview). */
  WORKER_AUTOSCALE_SAMPLE_MS: z.coerce.number().int().min(100).default(2_000),
  /** Least time between two changes of one queue's concurrency. */
  WORKER_AUTOSCALE_COOLDOWN_MS: z.coerce.number().int().min(0).default(10_000),
  /** A queue with nothing waiting this long steps back toward its configured concurrency, one per period. */
  WORKER_AUTOSCALE_IDLE_MS: z.coerce.number().int().min(0).default(60_000),
  /** SIGTERM: how long the web server lets in-flight requests finish before exiting anyway. */
  WEB_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(25_000),
  /** How long an upload waits for the job queue before answering 503. */
  ENQUEUE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** The reconciler: how often it runs, and how long a photo may sit unfinished with no live job. */
  RECONCILE_EVERY_MS: z.coerce.number().int().min(1_000).default(60_000),
  RECONCILE_STALE_MS: z.coerce.number().int().min(0).default(5 * 60_000),
  MAX_FILE_BYTES: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  MAX_REQUEST_BYTES: z.coerce.number().int().positive().default(200 * 1024 * 1024),
  MAX_FILES_PER_REQUEST: z.coerce.number().int().positive().default(20),
  MAX_PIXELS: z.coerce.number().int().positive().default(100_000_000),
  /**
   * Most bytes one user may keep (photo originals, rendered vlogs, episode audio); unset = no
   * limit. An upload over it is refused (413) saying how much room is left.
   */
  USER_STORAGE_QUOTA_BYTES: z.coerce.number().int().positive().optional(),
  /** The orphan collector removes an unreferenced stored object only once it is this old. */
  ORPHAN_GRACE_MS: durationMs.prefault(String(24 * 3_600_000)),
  /** How often the orphan collector runs (it also removes expired data exports). */
  ORPHAN_SWEEP_EVERY_MS: durationMs.prefault(String(3_600_000)),
  /** Most frames an animated upload (GIF, WebP, AVIF sequence) may have. */
  MAX_FRAMES: z.coerce.number().int().positive().default(1_000),
  /** This address becomes admin on sign-up; otherwise the first account does. */
  ADMIN_EMAIL: z.string().email().optional(),
  SESSION_DAYS: z.coerce.number().int().positive().default(30),
  /**
   * How long a web process trusts a session it has already checked (lib/auth/session-cache.ts).
   * Sign-out takes effect at once in the process that handles it; with several web processes
   * a session deleted by another one is still accepted here for at most this long. 0: off.
   */
  SESSION_CACHE_SECONDS: z.coerce.number().min(0).max(60).default(5),

  /** pino level for the logs of the web app and the worker. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** "json" (one object per line), "pretty" (readable lines), or "auto": pretty when stdout is a terminal. */
  LOG_FORMAT: z.enum(["auto", "json", "pretty"]).default("auto"),
  /** Bearer token for /api/metrics and the worker's /metrics; unset = both answer 404. */
  METRICS_TOKEN: z.string().min(16, { message: "use at least 16 characters" }).optional(),
  /** Port of the worker's own /metrics and /health server; 0 turns it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_METRICS_HOST: z.string().default("0.0.0.0"),
  /**
   * Behind a reverse proxy: how many proxies append to X-Forwarded-For (true = 1). Only
   * then is the client address taken from that header; otherwise every client shares one
   * rate-limit bucket per action, because the header could be forged.
   */
  TRUST_PROXY: proxyHops.default(0),
  /** Sign-in attempts per client address. */
  RATE_LIMIT_SIGNIN_IP: rateLimit.prefault("30/10m"),
  /** Failed sign-ins per account before it is locked for the rest of the window. */
  RATE_LIMIT_SIGNIN_ACCOUNT: rateLimit.prefault("10/15m"),
  /** New accounts per client address. */
  RATE_LIMIT_SIGNUP_IP: rateLimit.prefault("10/1h"),
  /** Upload requests per user (the web uploader sends one file per request). */
  RATE_LIMIT_UPLOAD_USER: rateLimit.prefault("600/10m"),


  // Workflows (lib/workflow): whether a run moves on by itself or waits for "proceed".
  /** Within a phase, start the next step as soon as one succeeds. */
  AUTO_PROGRESS_STEPS: bool.default(true),
  /** Between phases (e.g. storyboard → render), go on without waiting for the user. */
  AUTO_PROGRESS_PHASES: bool.default(false),

  // Vlogs (lib/vlogs).
  /** "local" renders with ffmpeg; "veo" animates each shot with Veo (needs GEMINI_API_KEY). */
  VLOG_RENDERER: z.enum(["local", "veo"]).default("local"),
  VLOG_MAX_PHOTOS: z.coerce.number().int().min(1).max(200).default(40),
  /** Render jobs one worker process runs at once (each uses every core). */
  VLOG_RENDER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  FFMPEG_PATH: z.string().default("ffmpeg"),
  FFPROBE_PATH: z.string().default("ffprobe"),
  VEO_MODEL: z.string().default("veo-2.0-generate-001"),
  /** First wait before asking Veo whether a clip is ready; doubles up to VEO_POLL_MAX_MS. */
  VEO_POLL_MS: z.coerce.number().int().positive().default(10_000),
  VEO_POLL_MAX_MS: z.coerce.number().int().positive().default(60_000),
  /** Give up on one Veo clip after this long. */
  VEO_TIMEOUT_MS: z.coerce.number().int().positive().default(15 * 60_000),

  // Podcasts (lib/podcasts).
  /** Longest recording accepted, in minutes; longer uploads are refused with the reason. */
  PODCAST_MAX_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(240),
  /** Largest audio file accepted, in bytes (default 1 GiB); streamed to disk, never held in memory. */
  MAX_AUDIO_BYTES: z.coerce.number().int().positive().default(1024 * 1024 * 1024),

  // Resumable uploads (lib/http/resumable.ts, the tus protocol; docs/uploads.md).
  /** Files larger than this (bytes) are sent by the pages with tus, and survive a dropped connection; 0: every file. */
  RESUMABLE_UPLOAD_THRESHOLD_BYTES: z.coerce.number().int().min(0).default(8 * 1024 * 1024),
  /** An unfinished resumable upload is collected this long after it was started ("24h", "90m", or ms). */
  RESUMABLE_UPLOAD_EXPIRY: durationMs.prefault("24h"),
  /**
   * Where listeners download published files from (an R2 custom domain, a CDN in front of the
   * bucket): enclosure, artwork, transcript and chapter URLs in feeds point there. Unset: the
   * app serves them under /feeds/<token>/.
   */
  PUBLIC_MEDIA_BASE_URL: z.string().url().regex(/^https?:\/\//, { message: "use an http(s) URL" }).optional(),
  /** Episode encodes one worker process runs at once (each keeps a core busy). */
  PODCAST_ENCODE_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
});

export type Env = z.infer<typeof envSchema>;

/** Parses a set of variables (empty ones count as unset); throws naming each bad one. */
export function parseEnv(vars: Record<string, string | undefined>): Env {
  const raw = Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== ""));
  const result = envSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  if (result.data.WORKER_MIN_CONCURRENCY > result.data.WORKER_MAX_CONCURRENCY) {
    throw new Error("Invalid configuration:\n  WORKER_MIN_CONCURRENCY: must not be above WORKER_MAX_CONCURRENCY");
  }
  return result.data;
}

let cached: Env | undefined;

/** The parsed configuration of this process. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
