// The only module that touches the Media and Analysis tables.
import { keepOwned, type Db, type Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { NotFoundError } from "@/lib/errors";
import type { MediaStatus } from "./progress";

export type NewMedia = {
  ownerId: string;
  originalName: string;
  mime: string;
  size: number;
  sha256: string;
  storageKey: string;
};

export function createMedia(db: Tx, data: NewMedia) {
  return db.media.create({ data: { ...data, status: "queued" } });
}

export async function deleteMedia(db: Db, id: string): Promise<void> {
  await db.media.deleteMany({ where: { id } });
}

/** A photo of this owner; someone else's id is indistinguishable from a missing one. */
export async function getOwnedMedia(db: Db, ownerId: string, id: string) {
  const row = await db.media.findFirst({ where: { id, ownerId }, include: { analysis: true } });
  if (!row) throw new NotFoundError("That photo");
  return row;
}

export function findOwnedMedia(db: Db, ownerId: string, ids: readonly string[]) {
  return db.media.findMany({ where: { id: { in: [...ids] } } }).then((rows) => keepOwned(rows, ownerId));
}

/** Photos of this owner with their analysis (vlogs read captions, EXIF and thumbnails). */
export function findOwnedMediaWithAnalysis(db: Db, ownerId: string, ids: readonly string[]) {
  return db.media.findMany({ where: { id: { in: [...ids] } }, include: { analysis: true } }).then((rows) => keepOwned(rows, ownerId));
}

export function listOwnedMedia(db: Db, ownerId: string, opts: { limit: number; before?: Date }) {
  return db.media.findMany({
    where: { ownerId, ...(opts.before ? { createdAt: { lt: opts.before } } : {}) },
    orderBy: { createdAt: "desc" },
    take: opts.limit,
  });
}

/** Photos not finished whose state has not changed since `olderThan`, oldest first. */
export function findStaleUnfinishedMedia(db: Db, olderThan: Date, limit: number) {
  return db.media.findMany({
    where: { status: { in: ["queued", "analysing"] }, updatedAt: { lt: olderThan } },
    orderBy: { updatedAt: "asc" },
    take: limit,
    select: { id: true, status: true, updatedAt: true },
  });
}

export function getMediaForJob(db: Db, id: string) {
  return db.media.findUnique({ where: { id } });
}

/**
 * Moves a photo to a new state; every change bumps `version` so clients can order events.
 * "done" is final: null when the photo is done already (or gone), and nothing is written.
 * Two runs of one job can overlap (a worker starved of CPU loses its job's lock and BullMQ
 * hands the job out again); the first to finish wins, and the other's later writes cannot
 * take the photo back to "analysing" or announce it done a second time. One statement
 * (`UPDATE … WHERE status <> 'done' RETURNING`), so no second run slips in between a check and
 * the write.
 */
export async function updateMediaState(
  db: Db,
  id: string,
  state: { status: MediaStatus; stage?: string | null; progress?: number; error?: string | null; analysisSha?: string },
) {
  const [row] = await db.media.updateManyAndReturn({
    where: { id, status: { not: "done" } },
    data: {
      ...state,
      version: { increment: 1 },
      completedAt: state.status === "done" || state.status === "failed" ? new Date() : null,
    },
  });
  return row ?? null;
}

export function findAnalysis(db: Db, sha256: string) {
  return db.analysis.findUnique({ where: { sha256 } });
}

/** Saves results for these bytes. Upsert: a retried job never creates a second row. */
export function saveAnalysis(db: Db, data: Prisma.AnalysisCreateInput) {
  return db.analysis.upsert({ where: { sha256: data.sha256 }, create: data, update: {} });
}

/** What the admin console shows next to a failed job: the photo's name and whether it has a thumbnail. */
export function findMediaForAdmin(db: Db, ids: readonly string[]) {
  return db.media.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, originalName: true, status: true, analysisSha: true },
  });
}

/** Any photo with its analysis, whoever owns it: admin routes only. */
export function getMediaForAdmin(db: Db, id: string) {
  return db.media.findUnique({ where: { id }, include: { analysis: true } });
}

// ------------------------------------------------ what an owner has (lib/media/owned.ts)

export function countOwnedMedia(db: Db, ownerId: string) {
  return db.media.count({ where: { ownerId } });
}

/** Ids of a few of this owner's photos (account deletion, in batches). */
export async function someOwnedMediaIds(db: Db, ownerId: string, take: number): Promise<string[]> {
  return (await db.media.findMany({ where: { ownerId }, take, select: { id: true } })).map((m) => m.id);
}

/** Bytes of this owner's originals. */
export async function ownedMediaBytes(db: Tx, ownerId: string): Promise<number> {
  return (await db.media.aggregate({ where: { ownerId }, _sum: { size: true } }))._sum.size ?? 0;
}

/** Every photo of this owner with its analysis, oldest first (the data export). */
export function allOwnedMediaWithAnalysis(db: Db, ownerId: string) {
  return db.media.findMany({ where: { ownerId }, include: { analysis: true }, orderBy: { createdAt: "asc" } });
}

/** Which of these keys are a photo's original or a cached analysis's thumbnail. */
export async function referencedMediaKeys(db: Db, keys: readonly string[]): Promise<string[]> {
  const [originals, thumbs] = await Promise.all([
    db.media.findMany({ where: { storageKey: { in: [...keys] } }, select: { storageKey: true } }),
    db.analysis.findMany({ where: { thumbnailKey: { in: [...keys] } }, select: { thumbnailKey: true } }),
  ]);
  return [...originals.map((m) => m.storageKey), ...thumbs.map((a) => a.thumbnailKey)];
}
