// The AI job types (issue 11, seed 003): payload schemas, result shapes and priorities — the
// contract shared by the public API, the job record and the worker. No I/O here.
//
// Every payload schema is idempotent on its own output (parse(parse(x)) equals parse(x)), so
// the normalised payload can be stored on the job and validated again by the worker.
import { z } from "zod";
import { InvalidInputError } from "@/lib/errors";

// Names, descriptions, default priorities and the priority scale live in ./catalogue (plain
// data the browser may import); re-exported here so server code has one place to look.
import { AI_JOB_INFO, AI_JOB_TYPES, PRIORITY, type AiJobType, type AiJobTypeInfo, type BatchChildType } from "./catalogue";
export { AI_JOB_INFO, AI_JOB_TYPES, PRIORITY, isAiJobType, priorityLevel } from "./catalogue";
export type { AiJobType, AiJobTypeInfo, BatchChildType, PriorityLevel } from "./catalogue";

export const LIMITS = {
  /** Characters of text to summarise, validate or compare (~50,000 words). */
  textChars: 200_000,
  summaryChars: 20_000,
  /** Characters of HTML handed in directly (the same 5 MB as a fetched page). */
  htmlChars: 5_000_000,
  urlChars: 2_048,
  similarityItems: 100,
  /** Total characters across all items of one similarity job. */
  similarityChars: 1_000_000,
  batchJobs: 100,
} as const;

// ---------------------------------------------------------------------------------------
// Field schemas

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
}

const httpUrl = z
  .string({ error: "Give the address as text, e.g. https://example.com/article." })
  .trim()
  .max(LIMITS.urlChars, { error: `Addresses are limited to ${LIMITS.urlChars} characters.` })
  .refine(isHttpUrl, { error: "Use a full http:// or https:// address, e.g. https://example.com/article." });

const text = (what: string, max: number) =>
  z
    .string({ error: `Give the ${what} as a string.` })
    .trim()
    .min(1, { error: `The ${what} is empty.` })
    .max(max, { error: `The ${what} is longer than ${max.toLocaleString("en")} characters; shorten it.` });

const uuid = (what: string) => z.uuid({ error: `${what} must be an id such as 3f2c1a9e-1b2c-4d5e-8f90-1234567890ab.` });

export const SUMMARY_LENGTHS = ["short", "medium", "long"] as const;
export type SummaryLength = (typeof SUMMARY_LENGTHS)[number];
const summaryLength = z.enum(SUMMARY_LENGTHS, { error: "Choose short, medium or long." });

/** BCP 47-ish: "en", "ja", "pt-BR", "zh-Hant". */
const language = z
  .string({ error: "Give the language as a code such as \"en\" or \"ja\"." })
  .trim()
  .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, { error: "Use a language code such as \"en\", \"ja\" or \"pt-BR\"." });

type Ctx = z.core.$RefinementCtx<unknown>;

/** Exactly one of `keys` present in `value`; the issue names the field to fix. */
function requireOne(value: Record<string, unknown>, keys: readonly string[], ctx: Ctx): boolean {
  const present = keys.filter((k) => value[k] !== undefined);
  const list = keys.length === 2 ? `${keys[0]} or ${keys[1]}` : `${keys.slice(0, -1).join(", ")} or ${keys.at(-1)}`;
  if (present.length === 1) return true;
  if (present.length === 0) ctx.addIssue({ code: "custom", path: [keys[0]], message: `Give one of ${list}.` });
  else
    ctx.addIssue({
      code: "custom",
      path: [present[1]],
      message: `Give only one of ${list} (${present.join(" and ")} were given).`,
    });
  return false;
}

// ---------------------------------------------------------------------------------------
// Payloads

type SummarizeSource = { text: string } | { url: string } | { article_id: string };
export type SummarizePayload = SummarizeSource & { length: SummaryLength; language?: string };

/**
 * `{ text | url | article_id, length?, language? }`; the seed's
 * `{ article_id, user_preferences: { length, language } }` is accepted and flattened.
 * Length defaults to medium.
 */
export const summarizePayload = z
  .strictObject({
    text: text("text", LIMITS.textChars).optional(),
    url: httpUrl.optional(),
    article_id: uuid("article_id").optional(),
    length: summaryLength.optional(),
    language: language.optional(),
    user_preferences: z
      .strictObject({ length: summaryLength.optional(), language: language.optional() }, { error: "user_preferences must be an object." })
      .optional(),
  })
  .transform((v, ctx): SummarizePayload => {
    let ok = requireOne(v, ["text", "url", "article_id"], ctx);
    const prefs = v.user_preferences ?? {};
    for (const key of ["length", "language"] as const) {
      if (v[key] !== undefined && prefs[key] !== undefined && v[key] !== prefs[key]) {
        ctx.addIssue({
          code: "custom",
          path: ["user_preferences", key],
          message: `Give ${key} once: "${v[key]}" and user_preferences.${key} "${prefs[key]}" disagree.`,
        });
        ok = false;
      }
    }
    if (!ok) return z.NEVER;
    const source: SummarizeSource =
      v.text !== undefined ? { text: v.text } : v.url !== undefined ? { url: v.url } : { article_id: v.article_id! };
    const lang = v.language ?? prefs.language;
    return { ...source, length: v.length ?? prefs.length ?? "medium", ...(lang ? { language: lang } : {}) };
  });

export type ExtractContentPayload = { url: string } | { html: string; url?: never };
/** `{ url }` (fetched safely, see safe-fetch.ts) or `{ html }` handed in directly. */
export const extractContentPayload = z
  .strictObject({
    url: httpUrl.optional(),
    html: text("html", LIMITS.htmlChars).optional(),
  })
  .transform((v, ctx): ExtractContentPayload => {
    if (!requireOne(v, ["url", "html"], ctx)) return z.NEVER;
    return v.url !== undefined ? { url: v.url } : { html: v.html! };
  });

export type ValidateSummaryPayload = { text: string; summary: string };
export const validateSummaryPayload = z.strictObject({
  text: text("text", LIMITS.textChars),
  summary: text("summary", LIMITS.summaryChars),
});

export type CalculateSimilarityPayload = { a: string; b: string } | { items: string[] } | { mediaIds: string[] };
/** Two texts `{ a, b }`, several texts `{ items }`, or several photos `{ mediaIds }`. */
export const calculateSimilarityPayload = z
  .strictObject({
    a: text("text a", LIMITS.textChars).optional(),
    b: text("text b", LIMITS.textChars).optional(),
    items: z
      .array(text("item", LIMITS.textChars), { error: "items must be a list of texts." })
      .min(2, { error: "Give at least 2 items to compare." })
      .max(LIMITS.similarityItems, { error: `Give at most ${LIMITS.similarityItems} items.` })
      .optional(),
    mediaIds: z
      .array(uuid("Each media id"), { error: "mediaIds must be a list of photo ids." })
      .min(2, { error: "Give at least 2 photos to compare." })
      .max(LIMITS.similarityItems, { error: `Give at most ${LIMITS.similarityItems} photos.` })
      .optional(),
  })
  .transform((v, ctx): CalculateSimilarityPayload => {
    const forms = [v.a !== undefined || v.b !== undefined ? "a and b" : null, v.items ? "items" : null, v.mediaIds ? "mediaIds" : null].filter(
      (f): f is string => f !== null,
    );
    if (forms.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: forms.length === 0 ? ["a"] : [forms[1] === "a and b" ? "a" : forms[1]],
        message:
          forms.length === 0
            ? "Give two texts (a and b), a list of texts (items) or a list of photos (mediaIds)."
            : `Give only one of a and b, items or mediaIds (${forms.join(" and ")} were given).`,
      });
      return z.NEVER;
    }
    if (v.a !== undefined || v.b !== undefined) {
      if (v.a === undefined || v.b === undefined) {
        ctx.addIssue({ code: "custom", path: [v.a === undefined ? "a" : "b"], message: "Give both texts, a and b." });
        return z.NEVER;
      }
      return { a: v.a, b: v.b };
    }
    if (v.items) {
      const total = v.items.reduce((n, s) => n + s.length, 0);
      if (total > LIMITS.similarityChars) {
        ctx.addIssue({
          code: "custom",
          path: ["items"],
          message: `The items add up to ${total.toLocaleString("en")} characters; the limit is ${LIMITS.similarityChars.toLocaleString("en")}.`,
        });
        return z.NEVER;
      }
      return { items: v.items };
    }
    return { mediaIds: v.mediaIds! };
  });

export type GeneratePodcastPayload = ({ text: string } | { url: string }) & { showId?: string; voice?: string };
/** An article (text or page) read aloud as a podcast episode, into `showId` or the default show. */
export const generatePodcastPayload = z
  .strictObject({
    text: text("text", LIMITS.textChars).optional(),
    url: httpUrl.optional(),
    showId: uuid("showId").optional(),
    voice: z
      .string({ error: "Give the voice as a name such as \"en-us\"." })
      .trim()
      .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.+-]{0,63}$/u, { error: "Use a voice name of letters, digits, -, _, + or . (at most 64)." })
      .optional(),
  })
  .transform((v, ctx): GeneratePodcastPayload => {
    if (!requireOne(v, ["text", "url"], ctx)) return z.NEVER;
    return {
      ...(v.text !== undefined ? { text: v.text } : { url: v.url! }),
      ...(v.showId ? { showId: v.showId } : {}),
      ...(v.voice ? { voice: v.voice } : {}),
    };
  });

export type BatchChild = { [K in BatchChildType]: { type: K; payload: PayloadOf<K> } }[BatchChildType];
export type BatchProcessPayload = { jobs: BatchChild[] };

const childSchemas = {
  summarize: summarizePayload,
  extract_content: extractContentPayload,
  validate_summary: validateSummaryPayload,
  calculate_similarity: calculateSimilarityPayload,
  generate_podcast: generatePodcastPayload,
} satisfies Record<BatchChildType, z.ZodType>;

/** Up to 100 jobs of the other types; each child's payload is checked by its own schema. */
export const batchProcessPayload = z
  .strictObject({
    jobs: z
      .array(z.strictObject({ type: z.string({ error: "Give each job a type." }), payload: z.unknown() }), {
        error: "jobs must be a list of { type, payload }.",
      })
      .min(1, { error: "Give at least one job." })
      .max(LIMITS.batchJobs, { error: `A batch holds at most ${LIMITS.batchJobs} jobs; split it.` }),
  })
  .transform((v, ctx): BatchProcessPayload => {
    const jobs: BatchChild[] = [];
    v.jobs.forEach((job, i) => {
      if (job.type === "batch_process") {
        ctx.addIssue({ code: "custom", path: ["jobs", i, "type"], message: "A batch cannot contain another batch." });
        return;
      }
      if (!(job.type in childSchemas)) {
        ctx.addIssue({
          code: "custom",
          path: ["jobs", i, "type"],
          message: `Unknown job type "${job.type}"; use one of ${Object.keys(childSchemas).join(", ")}.`,
        });
        return;
      }
      const type = job.type as BatchChildType;
      const parsed = childSchemas[type].safeParse(job.payload ?? {});
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          ctx.addIssue({ ...issue, code: "custom", path: ["jobs", i, "payload", ...issue.path] } as Parameters<Ctx["addIssue"]>[0]);
        }
        return;
      }
      jobs.push({ type, payload: parsed.data } as BatchChild);
    });
    return jobs.length === v.jobs.length ? { jobs } : z.NEVER;
  });

// ---------------------------------------------------------------------------------------
// Results

export interface SummarizeResult {
  summary: string;
  /** The main points, most important first (whole sentences when extractive). */
  keyPoints: string[];
  /** Key terms and phrases of the text, most characteristic first. */
  keywords: string[];
  /** ISO 8601. */
  generated_at: string;
  /** Language of the summary ("en", "ja", …) when known. */
  language?: string;
  /** extractive: sentences chosen from the text; generative: written by an AI provider. */
  method: "extractive" | "generative";
}

export interface ExtractContentResult {
  title: string;
  byline: string | null;
  siteName: string | null;
  lang: string | null;
  /** The readable text, paragraphs separated by blank lines. */
  text: string;
  excerpt: string;
  /** Words, counting each CJK character as one (as word processors do). */
  wordCount: number;
  /** The address it came from (after redirects), when fetched. */
  url: string | null;
}

export interface ValidateSummaryResult {
  /** How well the source supports the summary, 0 (not at all) … 1 (fully). */
  score: number;
  faithful: boolean;
  /** Summary sentences the source does not support. */
  unsupportedClaims: string[];
  /** Share of the source's key terms the summary covers, 0 … 1. */
  coverage: number;
  /** Support per summary sentence (local method only). */
  sentences?: { text: string; support: number }[];
  method: "lexical" | "judge";
}

/** How the similarity was measured: a provider's text embeddings, TF-IDF (no key), photo fingerprints. */
export type SimilarityMethod = "embeddings" | "tfidf" | "phash";

export type CalculateSimilarityResult = (
  /** { a, b }: 0 (unrelated) … 1 (same). */
  | { score: number }
  /** { items } or { mediaIds }: matrix[i][j] for item i against j; symmetric, 1 on the diagonal. */
  | { matrix: number[][] }
) & { method: SimilarityMethod };

export interface GeneratePodcastResult {
  episodeId: string;
  /** The script's title, which is also the episode's. */
  title: string;
  /** The synthesized speech's length. */
  durationSeconds?: number;
}

export interface BatchChildResult {
  index: number;
  type: BatchChildType;
  job_id: string;
  status: "queued" | "running" | "completed" | "failed" | "canceled";
  result?: unknown;
  error?: { code: string; message: string };
}

export interface BatchProcessResult {
  total: number;
  completed: number;
  failed: number;
  canceled: number;
  children: BatchChildResult[];
}

// ---------------------------------------------------------------------------------------
// Catalogue

export interface PayloadTypes {
  summarize: SummarizePayload;
  extract_content: ExtractContentPayload;
  validate_summary: ValidateSummaryPayload;
  calculate_similarity: CalculateSimilarityPayload;
  generate_podcast: GeneratePodcastPayload;
  batch_process: BatchProcessPayload;
}
export type PayloadOf<T extends AiJobType> = PayloadTypes[T];

export interface ResultTypes {
  summarize: SummarizeResult;
  extract_content: ExtractContentResult;
  validate_summary: ValidateSummaryResult;
  calculate_similarity: CalculateSimilarityResult;
  generate_podcast: GeneratePodcastResult;
  batch_process: BatchProcessResult;
}
export type ResultOf<T extends AiJobType> = ResultTypes[T];

export interface AiJobTypeSpec<T extends AiJobType> extends AiJobTypeInfo {
  payload: z.ZodType<PayloadOf<T>, unknown>;
}

export const aiJobTypes: { [T in AiJobType]: AiJobTypeSpec<T> } = {
  summarize: { payload: summarizePayload, ...AI_JOB_INFO.summarize },
  extract_content: { payload: extractContentPayload, ...AI_JOB_INFO.extract_content },
  validate_summary: { payload: validateSummaryPayload, ...AI_JOB_INFO.validate_summary },
  calculate_similarity: { payload: calculateSimilarityPayload, ...AI_JOB_INFO.calculate_similarity },
  generate_podcast: { payload: generatePodcastPayload, ...AI_JOB_INFO.generate_podcast },
  batch_process: { payload: batchProcessPayload, ...AI_JOB_INFO.batch_process },
};

/** Zod issues as `{ "payload.jobs.2.payload.length": "Choose short, medium or long." }`. */
export function fieldErrors(error: z.ZodError, prefix: readonly (string | number)[] = []): Record<string, string> {
  // A Map, not an object literal: a key such as "__proto__" must stay a field name.
  const fields = new Map<string, string>();
  for (const issue of error.issues) {
    const base = [...prefix, ...issue.path].map(String);
    const paths =
      issue.code === "unrecognized_keys"
        ? issue.keys.map((k) => [...base, k].join("."))
        : [base.join(".") || "body"];
    const message = issue.code === "unrecognized_keys" ? "This field is not recognised." : issue.message;
    for (const p of paths) if (!fields.has(p)) fields.set(p, message);
  }
  return Object.fromEntries(fields);
}

/** Validates a payload for its type; InvalidInputError names each bad field as `payload.<path>`. */
export function parsePayload<T extends AiJobType>(type: T, payload: unknown): PayloadOf<T> {
  const parsed = aiJobTypes[type].payload.safeParse(payload);
  if (!parsed.success) throw new InvalidInputError(fieldErrors(parsed.error, ["payload"]), "The job's payload is not valid.");
  return parsed.data;
}

// ---------------------------------------------------------------------------------------
// Priorities (seed 003): CRITICAL 10 · HIGH 7–9 · NORMAL 4–6 · LOW 1–3

export const priority = z
  .number({ error: "Give the priority as a whole number from 1 (low) to 10 (critical)." })
  .int({ error: "Give the priority as a whole number from 1 (low) to 10 (critical)." })
  .min(1, { error: "The lowest priority is 1." })
  .max(10, { error: "The highest priority is 10 (critical)." });

/**
 * The priority a job runs at. Callers may keep or lower their type's default; only admins
 * may raise it, and only admins may set CRITICAL (10). Raising is refused, not clamped, so
 * the caller learns why. Keeps API jobs from starving photo analysis, which runs at HIGH.
 */
export function resolvePriority(opts: { type: AiJobType; requested?: number | null; isAdmin: boolean }): number {
  const fallback = aiJobTypes[opts.type].defaultPriority;
  if (opts.requested === undefined || opts.requested === null) return fallback;
  const parsed = priority.safeParse(opts.requested);
  if (!parsed.success) throw new InvalidInputError(fieldErrors(parsed.error, ["priority"]), "The priority is not valid.");
  const p = parsed.data;
  if (opts.isAdmin) return p;
  if (p === PRIORITY.CRITICAL) {
    throw new InvalidInputError({ priority: "Only administrators may set priority 10 (critical)." }, "The priority is not allowed.");
  }
  if (p > fallback) {
    throw new InvalidInputError(
      { priority: `A ${opts.type} job runs at priority ${fallback}; you may lower it (1–${fallback}) but only administrators may raise it.` },
      "The priority is not allowed.",
    );
  }
  return p;
}

/**
 * Children of a batch run at LOW (the batch's priority, at most 3) — nobody is watching
 * each one. An administrator who set the batch's priority explicitly gets it for the
 * children too.
 */
export function batchChildPriority(opts: { batchPriority: number; explicit: boolean; isAdmin: boolean }): number {
  if (opts.explicit && opts.isAdmin) return opts.batchPriority;
  return Math.min(opts.batchPriority, PRIORITY.LOW.max);
}

/**
 * BullMQ's scale is inverted (1 runs first) and 0 means "no priority" (a separate, earlier
 * list), so 10 → 1 … 1 → 10: always ≥ 1, keeping every job in the prioritised set.
 */
export function toBullPriority(priority: number): number {
  const p = Math.min(10, Math.max(1, Math.round(priority)));
  return 11 - p;
}

export function fromBullPriority(bullPriority: number): number {
  return Math.min(10, Math.max(1, 11 - Math.round(bullPriority)));
}

/** A whole request `{ type, payload, priority?, webhookUrl? }` as the API receives it. */
export const jobRequest = z.strictObject({
  type: z.enum(AI_JOB_TYPES, { error: `Use one of ${AI_JOB_TYPES.join(", ")}.` }),
  payload: z.unknown(),
  priority: priority.optional().nullable(),
  webhookUrl: httpUrl.optional().nullable(),
});

export type ParsedJobRequest = {
  [T in AiJobType]: { type: T; payload: PayloadOf<T>; priority: number; webhookUrl: string | null };
}[AiJobType];

/**
 * Validates a request body end to end: type, payload by type, priority by role, webhook
 * address syntax (its reachability is checked when delivering). Throws InvalidInputError with
 * every bad field named (`type`, `payload.length`, `priority`, `webhookUrl`).
 */
export function parseJobRequest(body: unknown, opts: { isAdmin: boolean }): ParsedJobRequest {
  const parsed = jobRequest.safeParse(body);
  if (!parsed.success) throw new InvalidInputError(fieldErrors(parsed.error), "The job request is not valid.");
  const { type, priority: requested, webhookUrl } = parsed.data;
  const payload = parsePayload(type, parsed.data.payload ?? {});
  const p = resolvePriority({ type, requested, isAdmin: opts.isAdmin });
  return { type, payload, priority: p, webhookUrl: webhookUrl ?? null } as ParsedJobRequest;
}
