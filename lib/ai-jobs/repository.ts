// The only module that touches the Job and WebhookDelivery tables: the durable record of
// every AI job (BullMQ holds only the work, and trims it; this outlives that).
import type { Db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import type { JobStatus, Prisma } from "@/lib/generated/prisma/client";

type Tx = Prisma.TransactionClient | Db;

const withChildren = { children: { select: { id: true, type: true, status: true }, orderBy: { createdAt: "asc" as const } } };

export type JobRow = Prisma.JobGetPayload<{ include: typeof withChildren }>;

export function createJob(tx: Tx, data: Prisma.JobUncheckedCreateInput) {
  return tx.job.create({ data, include: withChildren });
}

export async function getOwnedJob(db: Tx, ownerId: string, id: string): Promise<JobRow> {
  const row = await db.job.findFirst({ where: { id, ownerId }, include: withChildren });
  if (!row) throw new NotFoundError("That job");
  return row;
}

export function findOwnedJobs(db: Db, ownerId: string, ids: readonly string[]) {
  return db.job.findMany({ where: { ownerId, id: { in: [...ids] } }, include: withChildren });
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
