// The only module that touches the Job and WebhookDelivery tables: the durable record of
// every AI job (BullMQ holds only the work, and trims it; this outlives that).
import { keepOwned, type Db, type Tx } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { Prisma, type JobStatus } from "@/lib/generated/prisma/client";

const withChildren = { children: { select: { id: true, type: true, status: true }, orderBy: { createdAt: "asc" as const } } };

export type JobRow = Prisma.JobGetPayload<{ include: typeof withChildren }>;

/**
 * Inserts one job in a single statement; null when its (owner, Idempotency-Key) is taken. A
 * new job has no children yet, so nothing is read back. With a key it is INSERT … ON CONFLICT
 * DO NOTHING RETURNING: under a race the unique index decides, and a second INSERT with the
 * same key waits for the first to commit and then does nothing. Without one nothing can
 * conflict, and a plain create costs a third of the CPU: Prisma caches the compiled plan of a
 * create but compiles createManyAndReturn afresh every time (~1 ms, the largest single cost of
 * POST /api/v1/jobs; docs/performance.md, "After the full run").
 */
export async function insertJobUnlessKeyTaken(tx: Tx, data: Prisma.JobCreateManyInput): Promise<JobRow | null> {
  if (!data.idempotencyKey) return { ...(await tx.job.create({ data })), children: [] };
  const [row] = await tx.job.createManyAndReturn({ data: [data], skipDuplicates: true });
  return row ? { ...row, children: [] } : null;
}

export async function getOwnedJob(db: Tx, ownerId: string, id: string): Promise<JobRow> {
  const row = await db.job.findFirst({ where: { id, ownerId }, include: withChildren });
  if (!row) throw new NotFoundError("That job");
  return row;
}

export function findOwnedJobs(db: Db, ownerId: string, ids: readonly string[]) {
  return db.job.findMany({ where: { id: { in: [...ids] } }, include: withChildren }).then((rows) => keepOwned(rows, ownerId));
}

export function getJob(db: Tx, id: string) {
  return db.job.findUnique({ where: { id }, include: withChildren });
}

export function findByIdempotencyKey(db: Tx, ownerId: string, idempotencyKey: string) {
  return db.job.findUnique({ where: { ownerId_idempotencyKey: { ownerId, idempotencyKey } }, include: withChildren });
}

export interface JobListQuery {
  status?: JobStatus;
  type?: string;
  since?: Date;
  /** The id of the last job of the previous page. */
  cursor?: string;
  limit: number;
}

/** Newest first, keyset-paged on (createdAt, id) so pages never skip or repeat a job. */
export async function listOwnedJobs(db: Db, ownerId: string, q: JobListQuery): Promise<{ rows: JobRow[]; nextCursor: string | null }> {
  const rows = await db.job.findMany({
    where: {
      ownerId,
      parentId: null,
      ...(q.status ? { status: q.status } : {}),
      ...(q.type ? { type: q.type } : {}),
      ...(q.since ? { createdAt: { gte: q.since } } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
    include: withChildren,
  });
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  return { rows: page, nextCursor: more ? page[page.length - 1].id : null };
}

/**
 * Moves a job from one of `from` to new values in one statement; null when it was no
 * longer in one of those states (someone else moved it first — e.g. cancel vs. start).
 */
export async function transition(tx: Tx, id: string, from: JobStatus[], data: Prisma.JobUncheckedUpdateInput): Promise<JobRow | null> {
  const updated = await tx.job.updateMany({ where: { id, status: { in: from } }, data: { ...data, version: { increment: 1 } } as Prisma.JobUncheckedUpdateManyInput });
  return updated.count === 1 ? tx.job.findUnique({ where: { id }, include: withChildren }) : null;
}

export function updateJob(tx: Tx, id: string, data: Prisma.JobUncheckedUpdateInput) {
  return tx.job.update({ where: { id }, data: { ...data, version: { increment: 1 } }, include: withChildren });
}

export function recordDelivery(tx: Tx, data: Prisma.WebhookDeliveryUncheckedCreateInput) {
  return tx.webhookDelivery.create({ data });
}

export function listDeliveries(db: Db, jobId: string) {
  return db.webhookDelivery.findMany({ where: { jobId }, orderBy: { createdAt: "asc" } });
}

/** Retention: finished jobs older than `before` go (children and deliveries cascade). */
export function deleteFinishedBefore(db: Db, before: Date) {
  return db.job.deleteMany({ where: { parentId: null, status: { in: ["completed", "failed", "canceled"] }, completedAt: { lt: before } } });
}

export interface JobTypeFigures {
  type: string;
  completed: number;
  failed: number;
  /** Start to finish of completed jobs (retries included), in ms; null when none completed. */
  p50Ms: number | null;
  p95Ms: number | null;
}

/**
 * Per type: jobs completed and failed since `since`, with p50/p95 of their run time. One
 * aggregate query on the (status, completedAt) index; Postgres computes the percentiles.
 * `schema` is the database schema the client was made for (raw SQL names it itself).
 */
export async function jobTypeFiguresSince(db: Db, since: Date, schema?: string): Promise<JobTypeFigures[]> {
  const table = Prisma.raw(schema ? `"${schema.replace(/"/g, "")}"."Job"` : `"Job"`);
  const rows = await db.$queryRaw<{ type: string; completed: bigint; failed: bigint; p50: number | null; p95: number | null }[]>(Prisma.sql`
    SELECT type,
      count(*) FILTER (WHERE status = 'completed') AS completed,
      count(*) FILTER (WHERE status = 'failed') AS failed,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "completedAt" - "startedAt") * 1000)
        FILTER (WHERE status = 'completed' AND "startedAt" IS NOT NULL) AS p50,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM "completedAt" - "startedAt") * 1000)
        FILTER (WHERE status = 'completed' AND "startedAt" IS NOT NULL) AS p95
    FROM ${table}
    WHERE status IN ('completed', 'failed') AND "completedAt" >= ${since.toISOString()}::timestamptz AT TIME ZONE 'UTC'
    GROUP BY type
    ORDER BY type`);
  const ms = (v: number | null) => (v === null ? null : Math.round(Number(v)));
  return rows.map((r) => ({ type: r.type, completed: Number(r.completed), failed: Number(r.failed), p50Ms: ms(r.p50), p95Ms: ms(r.p95) }));
}

/** Every AI job of this owner, oldest first, with what the data export keeps of it. */
export function allOwnedJobsForExport(db: Db, ownerId: string) {
  return db.job.findMany({
    where: { ownerId },
    orderBy: { createdAt: "asc" },
    select: { id: true, type: true, status: true, payload: true, result: true, errorMessage: true, createdAt: true, completedAt: true },
  });
}
