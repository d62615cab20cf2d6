// Deleting photos. Each photo's row goes in one transaction with what depends on it: the
// analysis cache entry of its bytes when no other photo has the same bytes, and the mark on
// every storyboard that used it (the rendered videos stay). Its files (original, thumbnail)
// are deleted after the commit; one that cannot be is an orphan the collector removes later.
import { z } from "zod";
import type { Db } from "@/lib/db";
import { log } from "@/lib/log";
import { removeObjects } from "@/lib/storage/remove";
import type { Storage } from "@/lib/storage/types";
import { forgetDeletedPhoto } from "@/lib/vlogs/repository";

/** Most photos one bulk delete may name (the library's page shows at most 120). */
export const MAX_BULK_DELETE = 200;

export const bulkDeleteSchema = z.object({
  ids: z
    .array(z.string().uuid("Not a photo id."))
    .min(1, "Name at least one photo.")
    .max(MAX_BULK_DELETE, `Delete at most ${MAX_BULK_DELETE} photos at once.`),
});

export interface DeletedPhotos {
  /** Photos deleted now. */
  deleted: string[];
  /** Ids that are not (or no longer) this owner's photos: nothing was done for them. */
  notFound: string[];
  /** Vlog runs whose storyboard changed, to announce to open pages. */
  changedRuns: string[];
}

export interface DeleteDeps {
  db: Db;
  storage: Storage;
}

/** Deletes one photo of this owner; false when it is not (or no longer) there. */
async function deleteOne(deps: DeleteDeps, ownerId: string, id: string): Promise<{ keys: string[]; runs: string[] } | null> {
  return deps.db.$transaction(async (tx) => {
    const row = await tx.media.findFirst({ where: { id, ownerId }, select: { id: true, sha256: true, storageKey: true } });
    if (!row) return null;
    // Two photos of the same bytes deleted at once must not both think the other still uses
    // the cached analysis: one waits for the other here.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`analysis:${row.sha256}`}))`;
    const gone = await tx.media.deleteMany({ where: { id: row.id } });
    if (gone.count === 0) return null;
    const keys = [row.storageKey];
    if ((await tx.media.count({ where: { sha256: row.sha256 } })) === 0) {
      const analysis = await tx.analysis.findUnique({ where: { sha256: row.sha256 }, select: { thumbnailKey: true } });
      if (analysis) {
        await tx.analysis.delete({ where: { sha256: row.sha256 } });
        keys.push(analysis.thumbnailKey);
      }
    }
    const runs = await forgetDeletedPhoto(tx, ownerId, row.id);
    return { keys, runs };
  });
}

/**
 * Deletes these photos of this owner, one transaction each (a failure halfway leaves every
 * photo either whole or gone). Ids that are not the owner's are reported, not refused, so a
 * retried request is harmless.
 */
export async function deletePhotos(deps: DeleteDeps, ownerId: string, ids: readonly string[]): Promise<DeletedPhotos> {
  const result: DeletedPhotos = { deleted: [], notFound: [], changedRuns: [] };
  for (const id of new Set(ids)) {
    const done = await deleteOne(deps, ownerId, id);
    if (!done) {
      result.notFound.push(id);
      continue;
    }
    result.deleted.push(id);
    result.changedRuns.push(...done.runs);
    await removeObjects(deps.storage, done.keys);
  }
  if (result.deleted.length > 0) log().info({ ownerId, photos: result.deleted.length }, "photos deleted");
  return result;
}

const PAGE = 500;

/**
 * Deletes cached analyses older than `cutoff` that no photo (of anyone) has the bytes of,
 * with their thumbnails (the orphan collector's pass); returns the thumbnail keys removed.
 */
export async function deleteUnusedAnalyses(db: Db, storage: Storage, cutoff: Date): Promise<string[]> {
  const removed: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await db.analysis.findMany({
      where: { createdAt: { lt: cutoff } },
      select: { sha256: true, thumbnailKey: true },
      orderBy: { sha256: "asc" },
      take: PAGE,
      ...(cursor ? { cursor: { sha256: cursor }, skip: 1 } : {}),
    });
    if (page.length === 0) return removed;
    cursor = page[page.length - 1].sha256;
    const used = new Set((await db.media.findMany({ where: { sha256: { in: page.map((a) => a.sha256) } }, select: { sha256: true }, distinct: ["sha256"] })).map((m) => m.sha256));
    for (const a of page.filter((a) => !used.has(a.sha256))) {
      // Re-checked under the same lock a photo delete takes, so a new upload of these bytes wins.
      const gone = await db.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`analysis:${a.sha256}`}))`;
        if ((await tx.media.count({ where: { sha256: a.sha256 } })) > 0) return false;
        return (await tx.analysis.deleteMany({ where: { sha256: a.sha256 } })).count === 1;
      });
      if (!gone) continue;
      await storage.delete(a.thumbnailKey);
      removed.push(a.thumbnailKey);
    }
    if (page.length < PAGE) return removed;
  }
}
