// The only module that touches the Vlog table (its workflow run is lib/workflow's).
import { keepOwned, type Db, type Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { NotFoundError } from "@/lib/errors";
import { markPhotoDeleted, type StoryboardDoc } from "./storyboard";

const withRun = { run: { include: { steps: { orderBy: { position: "asc" as const } } } } };

export type VlogRow = Prisma.VlogGetPayload<{ include: typeof withRun }>;

export function createVlog(
  tx: Tx,
  data: { ownerId: string; runId: string; title: string | null; style: string; resolution: string; mediaIds: string[] },
) {
  return tx.vlog.create({ data });
}

/** A vlog of this owner with its run and steps; someone else's id is a 404, as a missing one. */
export async function getOwnedVlog(db: Db, ownerId: string, id: string): Promise<VlogRow> {
  const row = await db.vlog.findFirst({ where: { id, ownerId }, include: withRun });
  if (!row) throw new NotFoundError("That vlog");
  return row;
}

export function findOwnedVlogs(db: Db, ownerId: string, ids: readonly string[]) {
  return db.vlog.findMany({ where: { id: { in: [...ids] } }, include: withRun }).then((rows) => keepOwned(rows, ownerId));
}

export function listOwnedVlogs(db: Db, ownerId: string, opts: { limit: number }) {
  return db.vlog.findMany({ where: { ownerId }, orderBy: { createdAt: "desc" }, take: opts.limit, include: withRun });
}

export function getVlog(db: Db, id: string) {
  return db.vlog.findUnique({ where: { id }, include: withRun });
}

export function getVlogByRun(db: Db, runId: string) {
  return db.vlog.findUnique({ where: { runId }, include: withRun });
}

export function getVlogByShareToken(db: Db, token: string) {
  return db.vlog.findUnique({ where: { shareToken: token }, include: withRun });
}

/**
 * Saves a storyboard. With `expectedVersion`, only if nobody saved another one since
 * (returns null then), so two tabs cannot silently overwrite each other.
 */
export async function saveStoryboard(db: Db, id: string, doc: StoryboardDoc, expectedVersion?: number) {
  const where = expectedVersion === undefined ? { id } : { id, storyboardVersion: expectedVersion };
  const updated = await db.vlog.updateMany({
    where,
    data: { storyboard: doc as unknown as Prisma.InputJsonValue, storyboardVersion: { increment: 1 } },
  });
  return updated.count === 1 ? db.vlog.findUniqueOrThrow({ where: { id } }) : null;
}

export function saveVideo(
  db: Db,
  id: string,
  video: { videoKey: string; posterKey: string; durationSec: number; width: number; height: number; bytes: number; renderer: string },
) {
  return db.vlog.update({ where: { id }, data: video });
}

export function setShareToken(db: Db, id: string, token: string | null) {
  return db.vlog.update({ where: { id }, data: { shareToken: token, sharedAt: token ? new Date() : null } });
}

/**
 * A photo of this owner was deleted: every vlog that chose it forgets it (it can no longer be
 * added back) and its storyboard marks the photo's shot as removed. The rendered videos stay.
 * Runs inside the photo's delete transaction. Returns the runs changed, to announce.
 */
export async function forgetDeletedPhoto(tx: Tx, ownerId: string, mediaId: string): Promise<string[]> {
  const vlogs = await tx.vlog.findMany({ where: { ownerId, mediaIds: { has: mediaId } }, select: { id: true, runId: true, mediaIds: true, storyboard: true } });
  for (const vlog of vlogs) {
    const doc = vlog.storyboard as unknown as StoryboardDoc | null;
    await tx.vlog.update({
      where: { id: vlog.id },
      data: {
        mediaIds: vlog.mediaIds.filter((id) => id !== mediaId),
        ...(doc ? { storyboard: markPhotoDeleted(doc, mediaId) as unknown as Prisma.InputJsonValue, storyboardVersion: { increment: 1 } } : {}),
      },
    });
  }
  return vlogs.map((v) => v.runId);
}

/** Everything deleting a vlog must remove from storage: its current files and its own folder. */
export const vlogStoragePrefix = (vlogId: string) => `vlogs/${vlogId}/`;

/** Deletes a vlog with its workflow run (the run owns it: deleting the run cascades to the vlog, its steps and their history). */
export async function deleteVlogRow(tx: Tx, vlog: { runId: string }): Promise<void> {
  await tx.workflowRun.deleteMany({ where: { id: vlog.runId } });
}

// ------------------------------------------------ what an owner has (lib/vlogs/owned.ts)

export function countOwnedVlogs(db: Db, ownerId: string) {
  return db.vlog.count({ where: { ownerId } });
}

/** A few of this owner's vlogs with what deleting them needs (account deletion, in batches). */
export function someOwnedVlogsToDelete(db: Db, ownerId: string, take: number) {
  return db.vlog.findMany({ where: { ownerId }, take, select: { id: true, runId: true } });
}

/** Bytes of this owner's rendered videos. */
export async function ownedVlogBytes(db: Tx, ownerId: string): Promise<number> {
  return (await db.vlog.aggregate({ where: { ownerId }, _sum: { bytes: true } }))._sum.bytes ?? 0;
}

/** Every vlog of this owner with its run, oldest first (the data export). */
export function allOwnedVlogs(db: Db, ownerId: string): Promise<VlogRow[]> {
  return db.vlog.findMany({ where: { ownerId }, include: withRun, orderBy: { createdAt: "asc" } });
}

/** What the orphan collector needs to judge these vlogs' stored files. */
export function vlogsFilesOf(db: Db, ids: readonly string[]) {
  return db.vlog.findMany({ where: { id: { in: [...ids] } }, select: { id: true, videoKey: true, posterKey: true, run: { select: { generation: true, status: true } } } });
}
