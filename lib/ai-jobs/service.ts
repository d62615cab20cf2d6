// What the HTTP edge asks of AI jobs: create one (idempotently), read one or a page of them,
// cancel, retry. Postgres holds the record; the queue only the work (./queue.ts).
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db";
import { ConflictError, InvalidInputError, NotFoundError } from "@/lib/errors";
import { log } from "@/lib/log";
import { Prisma, type JobStatus } from "@/lib/generated/prisma/client";
import { afterFinish, announceJob, type LifecycleDeps } from "./lifecycle";
import { abortRunningJob, clearFinishedJob, enqueueAiJob, enqueueBatch, removeQueuedJob } from "./queue";
import {
  deleteFinishedBefore,
  findByIdempotencyKey,
  getJob,
  getOwnedJob,
  insertJobUnlessKeyTaken,
  listDeliveries,
  listOwnedJobs,
  transition,
  type JobRow,
} from "./repository";
import { AI_JOB_TYPES, batchChildPriority, fieldErrors, parseJobRequest, type ParsedJobRequest } from "./types";
import { isTerminalJob, toJobView, type JobView } from "./view";
import { checkWebhookAddress } from "./webhooks";

/** Who is asking: the signed-in user, and the API token when the request carried one. */
export interface Caller {
  id: string;
  isAdmin: boolean;
  tokenId?: string;
}

export interface ServiceDeps extends LifecycleDeps {
  /** AI_JOBS_ALLOW_PRIVATE_HOSTS: webhook addresses on our own network that are allowed (tests). */
  allowPrivateHosts?: boolean | readonly string[];
  /** Test seam: the queue calls (default: BullMQ via ./queue.ts). */
  queue?: Partial<typeof defaultQueue>;
}

const defaultQueue = { enqueueAiJob, enqueueBatch, removeQueuedJob, clearFinishedJob, abortRunningJob };
const queueOf = (deps: ServiceDeps) => ({ ...defaultQueue, ...deps.queue });

// ---------------------------------------------------------------------------------------
// Create

/** Largest request body: a batch of 100 jobs with long texts fits; more is split. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** JSON with sorted keys, so the same request always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The request as it will run (normalised payload, resolved priority): equal requests hash equal. */
export const requestHash = (req: ParsedJobRequest) => createHash("sha256").update(canonical(req)).digest("hex");

export interface Created {
  job: JobView;
  /** True when an earlier request with the same Idempotency-Key made this job. */
  replayed: boolean;
}

/**
 * Creates a job (a batch: the batch and each of its jobs) and queues it. With an
 * Idempotency-Key, the same key and request return the job made the first time, and the
 * same key with a different request is a conflict; concurrent requests with one key make
 * exactly one job: the (owner, key) unique index decides, inside the INSERT itself
 * (`ON CONFLICT DO NOTHING`), and the losers read the winner's.
 *
 * The common case (one job, no checks against other rows) costs one INSERT … RETURNING and
 * one BullMQ add: no transaction, no read before or after (docs/performance.md, scenario 10).
 * Nothing is announced on the live pipeline: streams follow jobs by id, and nobody knows
 * this id before the answer.
 */
export async function createAiJob(deps: ServiceDeps, caller: Caller, body: unknown, idempotencyKey: string | null): Promise<Created> {
  const explicitPriority = (body as { priority?: unknown } | null)?.priority != null;
  const req = parseJobRequest(body, { isAdmin: caller.isAdmin });
  const hash = requestHash(req);

  if (needsChecks(req)) {
    // A replay answers what the first request made, even if a check would now fail (the
    // article since deleted, the webhook's name resolving elsewhere).
    if (idempotencyKey) {
      const earlier = await findByIdempotencyKey(deps.db, caller.id, idempotencyKey);
      if (earlier) return replay(earlier, hash);
    }
    await checkReferences(deps.db, caller, req);
    if (req.webhookUrl) {
      await checkWebhookSigner(deps.db, caller);
      // Checked again at every delivery: a name can resolve elsewhere later.
      await checkWebhookAddress(req.webhookUrl, { allowPrivateHosts: deps.allowPrivateHosts ?? false });
    }
  }

  const inserted = await insertJob(deps.db, caller, req, { explicitPriority, idempotencyKey, hash });
  if (!inserted) {
    // The key was taken, by an earlier request or one racing this one (the INSERT waited
    // for it to commit, so its row is there to read).
    const winner = await findByIdempotencyKey(deps.db, caller.id, idempotencyKey!);
    if (!winner) throw new ConflictError("idempotency_key_reused", "This Idempotency-Key was being used by another request that did not finish. Try again.");
    return replay(winner, hash);
  }
  const { row, childPriority } = inserted;

  const queue = queueOf(deps);
  try {
    if (req.type === "batch_process") await queue.enqueueBatch(row, row.children.map((c) => ({ id: c.id, priority: childPriority })));
    else await queue.enqueueAiJob(row);
  } catch (err) {
    // Nothing half-made: without its queued work the job would wait forever, and a client
    // retrying with the same Idempotency-Key would be handed that dead job.
    await deps.db.job.delete({ where: { id: row.id } }).catch((e) => log().error({ err: e, jobId: row.id }, "could not remove an unqueued job"));
    throw err;
  }
  return { job: toJobView(row), replayed: false };
}

/** Whether creating this request reads other rows (an article's job, the token's secret) or DNS first. */
function needsChecks(req: ParsedJobRequest): boolean {
  if (req.webhookUrl) return true;
  if (req.type === "summarize") return "article_id" in req.payload;
  if (req.type === "batch_process") return req.payload.jobs.some((j) => j.type === "summarize" && "article_id" in j.payload);
  return false;
}

function replay(earlier: JobRow, hash: string): Created {
  if (earlier.requestHash !== hash) {
    throw new ConflictError(
      "idempotency_key_reused",
      "This Idempotency-Key was already used for a different request. Use a new key for a new job.",
    );
  }
  return { job: toJobView(earlier), replayed: true };
}

/**
 * Inserts the job; null when its Idempotency-Key is already taken. One job: a single
 * INSERT … ON CONFLICT DO NOTHING RETURNING. A batch: the batch and its jobs in one
 * transaction (all or none), the batch row inserted the same way first.
 */
async function insertJob(
  db: Db,
  caller: Caller,
  req: ParsedJobRequest,
  opts: { explicitPriority: boolean; idempotencyKey: string | null; hash: string },
): Promise<{ row: JobRow; childPriority: number } | null> {
  const base = new Date();
  const common = { ownerId: caller.id, tokenId: caller.tokenId ?? null };
  const data: Prisma.JobCreateManyInput = {
    ...common,
    type: req.type,
    priority: req.priority,
    payload: req.payload as Prisma.InputJsonValue,
    webhookUrl: req.webhookUrl,
    idempotencyKey: opts.idempotencyKey,
    requestHash: opts.hash,
    createdAt: base,
  };
  if (req.type !== "batch_process") {
    const row = await insertJobUnlessKeyTaken(db, data);
    return row ? { row, childPriority: req.priority } : null;
  }
  const priority = batchChildPriority({ batchPriority: req.priority, explicit: opts.explicitPriority, isAdmin: caller.isAdmin });
  return db.$transaction(async (tx) => {
    const row = await insertJobUnlessKeyTaken(tx, data);
    if (!row) return null;
    // One millisecond apart, so createdAt keeps the batch's order (see batch.ts).
    await tx.job.createMany({
      data: req.payload.jobs.map((child, i) => ({
        ...common,
        parentId: row.id,
        type: child.type,
        priority,
        payload: child.payload as Prisma.InputJsonValue,
        createdAt: new Date(base.getTime() + i + 1),
      })),
    });
    return { row: (await getJob(tx, row.id))!, childPriority: priority };
  });
}

/**
 * An `article_id` must name one of the caller's extract_content jobs (its result is the
 * article). Checked now so the mistake is a 422 naming the field, not a failed job later.
 */
async function checkReferences(db: Db, caller: Caller, req: ParsedJobRequest): Promise<void> {
  const refs: { field: string; id: string }[] = [];
  if (req.type === "summarize" && "article_id" in req.payload) refs.push({ field: "payload.article_id", id: req.payload.article_id });
  if (req.type === "batch_process") {
    req.payload.jobs.forEach((job, i) => {
      if (job.type === "summarize" && "article_id" in job.payload) refs.push({ field: `payload.jobs.${i}.payload.article_id`, id: job.payload.article_id });
    });
  }
  if (refs.length === 0) return;
  const found = await db.job.findMany({
    where: { ownerId: caller.id, type: "extract_content", id: { in: [...new Set(refs.map((r) => r.id))] } },
    select: { id: true, status: true },
  });
  const known = new Map(found.map((f) => [f.id, f.status]));
  const problems: Record<string, string> = {};
  for (const ref of refs) {
    const status = known.get(ref.id);
    if (!status) problems[ref.field] = "No article has this id: give the job_id of one of your extract_content jobs.";
    else if (status === "failed" || status === "canceled") problems[ref.field] = `That extract_content job ${status === "failed" ? "failed" : "was canceled"}, so it has no article.`;
  }
  if (Object.keys(problems).length) throw new InvalidInputError(problems, "The job refers to an article that cannot be used.");
}

/**
 * Webhooks are signed with the API token's secret, shown once when the token was made.
 * A job created from a browser session has no token to sign with: refused, not signed
 * with a secret nobody was ever shown.
 */
async function checkWebhookSigner(db: Db, caller: Caller): Promise<void> {
  const field = "webhookUrl";
  if (!caller.tokenId) {
    throw new InvalidInputError(
      { [field]: "Webhooks are signed with an API token's secret: create this job with an API token (Settings → API tokens), or leave webhookUrl out and follow the job's stream." },
      "A webhook needs an API token.",
    );
  }
  const token = await db.apiToken.findUnique({ where: { id: caller.tokenId }, select: { webhookSecret: true } });
  if (!token?.webhookSecret) {
    throw new InvalidInputError(
      { [field]: "This API token was made before webhooks existed and has no signing secret. Create a new token to use webhooks." },
      "This API token cannot sign webhooks.",
    );
  }
}

// ---------------------------------------------------------------------------------------
// Read

const uuid = z.string().uuid();

/** A job id from a URL: a malformed one is reported exactly like a missing one. */
export function jobIdParam(id: string): string {
  if (!uuid.safeParse(id).success) throw new NotFoundError("That job");
  return id;
}

export interface Delivery {
  attempt: number;
  status: number | null;
  ok: boolean;
  error: string | null;
  duration_ms: number | null;
  at: string;
}

/** One job's view plus its webhook delivery attempts (the detail page and GET /jobs/:id). */
export interface JobDetail extends JobView {
  webhook_deliveries: Delivery[];
}

export async function getJobDetail(db: Db, caller: Caller, id: string): Promise<JobDetail> {
  const row = await getOwnedJob(db, caller.id, jobIdParam(id));
  const deliveries = row.webhookUrl ? await listDeliveries(db, row.id) : [];
  return {
    ...toJobView(row),
    webhook_deliveries: deliveries.map((d) => ({
      attempt: d.attempt,
      status: d.status,
      ok: d.ok,
      error: d.error,
      duration_ms: d.durationMs,
      at: d.createdAt.toISOString(),
    })),
  };
}

const JOB_STATUSES = ["queued", "running", "completed", "failed", "canceled"] as const satisfies readonly JobStatus[];

export const listQuery = z.strictObject({
  status: z.enum(JOB_STATUSES, { error: `Use one of ${JOB_STATUSES.join(", ")}.` }).optional(),
  type: z.enum(AI_JOB_TYPES, { error: `Use one of ${AI_JOB_TYPES.join(", ")}.` }).optional(),
  since: z.iso
    .datetime({ offset: true, error: "Give since as an ISO 8601 time, e.g. 2026-01-31T09:00:00Z." })
    .transform((v) => new Date(v))
    .optional(),
  cursor: z.uuid({ error: "Pass back the next_cursor of the previous page." }).optional(),
  limit: z.coerce
    .number({ error: "Give limit as a number from 1 to 100." })
    .int({ error: "Give limit as a whole number from 1 to 100." })
    .min(1, { error: "Give limit as a number from 1 to 100." })
    .max(100, { error: "At most 100 jobs per page." })
    .default(20),
});

/** `?status&type&since&cursor&limit` → the query; unknown parameters are refused by name. */
export function parseListQuery(params: URLSearchParams): z.infer<typeof listQuery> {
  const raw: Record<string, string> = {};
  for (const [k, v] of params) if (v !== "") raw[k] = v;
  const parsed = listQuery.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(fieldErrors(parsed.error), "The list's parameters are not valid.");
  return parsed.data;
}

/** The caller's jobs (batches count as one; their jobs are under `children`), newest first. */
export async function listAiJobs(db: Db, caller: Caller, query: z.infer<typeof listQuery>): Promise<{ jobs: JobView[]; next_cursor: string | null }> {
  if (query.cursor) {
    // Someone else's id must not position the page (nor reveal that it exists).
    const own = await db.job.findFirst({ where: { id: query.cursor, ownerId: caller.id }, select: { id: true } });
    if (!own) throw new InvalidInputError({ cursor: "Pass back the next_cursor of the previous page." }, "The cursor is not valid.");
  }
  const { rows, nextCursor } = await listOwnedJobs(db, caller.id, query);
  return { jobs: rows.map(toJobView), next_cursor: nextCursor };
}

// ---------------------------------------------------------------------------------------
// Cancel and retry

const finished = (row: JobRow) =>
  new ConflictError(
    "job_finished",
    `This job has already ${row.status === "canceled" ? "been canceled" : row.status}; only queued or running jobs can be canceled.`,
  );

/**
 * Queued → canceled at once and taken off the queue. Running → canceled at once, and the
 * worker running it is told to abort (the provider request is closed; whatever it was
 * about to record is discarded because the row is no longer running). A batch cancels
 * its unfinished jobs too. Finished → conflict.
 */
export async function cancelAiJob(deps: ServiceDeps, caller: Caller, id: string): Promise<JobView> {
  const row = await getOwnedJob(deps.db, caller.id, jobIdParam(id));
  if (isTerminalJob(row.status)) throw finished(row);
  const canceled = await cancelRow(deps, row.id);
  if (!canceled) {
    // It finished between the read and the update.
    throw finished(await getOwnedJob(deps.db, caller.id, row.id));
  }
  for (const child of canceled.children) {
    if (!isTerminalJob(child.status)) await cancelRow(deps, child.id);
  }
  return toJobView(await getOwnedJob(deps.db, caller.id, row.id));
}

async function cancelRow(deps: ServiceDeps, id: string): Promise<JobRow | null> {
  const queue = queueOf(deps);
  const data = {
    status: "canceled" as const,
    completedAt: new Date(),
    errorCode: "canceled",
    errorMessage: "The job was canceled.",
    errorRetryable: false,
  };
  // Two tries: it may start running between our read and our update.
  for (let i = 0; i < 2; i++) {
    const current = await deps.db.job.findUnique({ where: { id }, select: { status: true } });
    if (!current || isTerminalJob(current.status)) return null;
    const row = await transition(deps.db, id, [current.status], data);
    if (!row) continue;
    if (current.status === "queued") {
      await queue.removeQueuedJob(row).catch((err) => log().warn({ jobId: id, err: (err as Error).message }, "could not take a canceled job off the queue"));
    } else {
      await queue.abortRunningJob(row).catch((err) => log().warn({ jobId: id, err: (err as Error).message }, "could not ask the worker to abort a canceled job"));
    }
    await afterFinish(deps, row);
    return row;
  }
  return null;
}

/**
 * A failed job going back to the queue starts a new run: its timestamps, progress, result,
 * error and who answered are the new run's (null until it has them). `attempts` and usage
 * keep adding up over every run — they count work done and money spent, which a retry does
 * not undo (docs/jobs.md, "Cancel and retry").
 */
const FRESH_RUN = {
  status: "queued",
  progress: 0,
  result: Prisma.DbNull,
  errorCode: null,
  errorMessage: null,
  errorRetryable: null,
  provider: null,
  providerNotes: Prisma.DbNull,
  startedAt: null,
  completedAt: null,
} satisfies Prisma.JobUncheckedUpdateInput;

/** How long a retry waits for the failed attempt's worker to let go of the BullMQ job. */
const CLEAR_WAIT_MS = 3_000;

/** Failed → queued again as a fresh run (FRESH_RUN), as a new BullMQ job (the failed one is removed first). */
export async function retryAiJob(deps: ServiceDeps, caller: Caller, id: string): Promise<JobView> {
  const row = await getOwnedJob(deps.db, caller.id, jobIdParam(id));
  if (row.status !== "failed") {
    throw new ConflictError("job_not_failed", `Only failed jobs can be retried; this one is ${row.status}.`);
  }
  const queue = queueOf(deps);
  const until = Date.now() + CLEAR_WAIT_MS;
  while (!(await queue.clearFinishedJob(row))) {
    if (Date.now() > until) throw new ConflictError("job_finishing", "This job is still recording its failure. Try again in a moment.");
    await new Promise((r) => setTimeout(r, 100));
  }
  const requeued = await transition(deps.db, row.id, ["failed"], FRESH_RUN);
  if (!requeued) throw new ConflictError("job_not_failed", "This job changed while retrying it; reload it and try again.");
  try {
    await queue.enqueueAiJob(requeued);
  } catch (err) {
    // Put it back as it was, so the person can press Retry again.
    await transition(deps.db, row.id, ["queued"], {
      status: "failed",
      progress: row.progress,
      errorCode: row.errorCode,
      errorMessage: row.errorMessage,
      errorRetryable: row.errorRetryable,
      provider: row.provider,
      providerNotes: row.providerNotes ?? Prisma.DbNull,
      startedAt: row.startedAt,
      completedAt: row.completedAt,
    }).catch(() => {});
    throw err;
  }
  await announceJob(deps, requeued);
  if (requeued.parentId) await announceParent(deps, requeued.parentId);
  return toJobView(requeued);
}

/**
 * An admin retrying the failed BullMQ job from the console: the row goes back to queued
 * first (the job itself is retried by the console), so the owner sees it move at once.
 */
export async function requeueForAdminRetry(deps: ServiceDeps, id: string): Promise<void> {
  const row = await transition(deps.db, id, ["failed"], FRESH_RUN);
  if (row) await announceJob(deps, row);
}

async function announceParent(deps: ServiceDeps, parentId: string) {
  const parent = await getJob(deps.db, parentId);
  if (parent) await announceJob(deps, parent);
}

// ---------------------------------------------------------------------------------------
// Retention

/** Deletes finished jobs (with their batch children and webhook deliveries) older than `days`. */
export async function deleteExpiredJobs(db: Db, days: number, now = new Date()): Promise<number> {
  const { count } = await deleteFinishedBefore(db, new Date(now.getTime() - days * 24 * 3600 * 1000));
  return count;
}
