// "Delete my account": asked for on the Settings page (typed confirmation), carried out by
// the delete-account job. Asking revokes access at once (every session deleted, every API
// token revoked, sign-in refused); the job then deletes the person's things in batches,
// rows first and files after, and the user row last. Every batch is a fresh look at what is
// left, so a job that crashed or is run twice simply carries on where things stand.
import { z } from "zod";
import type { Db } from "@/lib/db";
import { InvalidInputError } from "@/lib/errors";
import { ingestPrefix } from "@/lib/podcasts/keys";
import { removePrefix } from "@/lib/storage/remove";
import type { Storage } from "@/lib/storage/types";
import { OWNED } from "./owned-kinds";

/** The phrase a person types to confirm (case and surrounding spaces do not matter). */
export const CONFIRM_PHRASE = "delete my account";

export const deleteAccountSchema = z.object({ confirm: z.string().max(200) });

export function checkConfirmation(input: z.infer<typeof deleteAccountSchema>): void {
  if (input.confirm.trim().toLowerCase() !== CONFIRM_PHRASE) {
    throw new InvalidInputError({ confirm: `Type “${CONFIRM_PHRASE}” to confirm.` }, `Nothing was deleted: type “${CONFIRM_PHRASE}” to confirm.`);
  }
}

/**
 * Access ends now, whatever the job's pace: sign-in is refused (deletingAt), sessions are
 * deleted and API tokens revoked. Idempotent; the job calls it again first thing.
 */
export async function revokeAccess(db: Db, userId: string): Promise<void> {
  await db.$transaction([
    db.user.updateMany({ where: { id: userId, deletingAt: null }, data: { deletingAt: new Date() } }),
    db.session.deleteMany({ where: { userId } }),
    db.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } }),
  ]);
}

export interface DeleteAccountDeps {
  db: Db;
  storage: Storage;
  /** Called after every batch: how much of what there was is gone. */
  progress?: (p: { done: number; total: number; stage: string }) => Promise<void>;
}

const BATCH = 25;

/** How many things are left to delete, of every kind. */
async function remaining(db: Db, userId: string): Promise<number> {
  const counts = await Promise.all(OWNED.map((kind) => kind.deletion?.count(db, userId) ?? 0));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Deletes everything of this user, the user row last. `knownTotal` is the total a previous
 * (interrupted) run reported, so progress continues rather than restarting at 0.
 */
export async function deleteAccount(deps: DeleteAccountDeps, userId: string, knownTotal?: number): Promise<{ deleted: boolean; items: number }> {
  const { db, storage } = deps;
  if (!(await db.user.findUnique({ where: { id: userId }, select: { id: true } }))) return { deleted: false, items: 0 };
  await revokeAccess(db, userId);
  const left = await remaining(db, userId);
  const total = Math.max(knownTotal ?? 0, left + 1); // + 1: the account itself
  let done = total - 1 - left;
  const report = (stage: string) => deps.progress?.({ done, total, stage }) ?? Promise.resolve();
  await report("starting");

  for (const kind of OWNED) {
    if (!kind.deletion) continue;
    for (;;) {
      const gone = await kind.deletion.removeSome({ db, storage }, userId, BATCH);
      if (gone === 0) break;
      done += gone;
      await report(kind.name);
    }
  }
  // Objects the person put for ingesting (POST /api/v1/episodes {storageKey}) and never used.
  await removePrefix(storage, ingestPrefix(userId));
  await removePrefix(storage, `exports/${userId}/`);
  // The rest (sessions, tokens, AI jobs and their webhook deliveries, runs) cascades.
  await db.user.deleteMany({ where: { id: userId } });
  done = total;
  await report("done");
  return { deleted: true, items: total };
}
