// What the HTTP edge asks of "your data": delete the account, start and fetch exports, and
// how much storage is used.
import type { SessionUser } from "@/lib/auth";
import { forgetUserSessions } from "@/lib/auth/session-cache";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { ConflictError, GoneError } from "@/lib/errors";
import { enqueue } from "@/lib/jobs";
import { log } from "@/lib/log";
import { checkConfirmation, revokeAccess, type deleteAccountSchema } from "./delete-account";
import { createExport, deleteExportRow, findUnfinishedExport, getOwnedExport, isExpired, listExports, publishExport, toExportView, type ExportRow, type ExportView } from "./exports";
import { storageUsage, type StorageUsage } from "./usage";
import type { z } from "zod";

/**
 * Deletes the account: the job is queued first (so a queue outage changes nothing: 503, try
 * again), then access ends at once. The job does the rest, in the background.
 */
export async function requestAccountDeletion(user: SessionUser, input: z.infer<typeof deleteAccountSchema>): Promise<void> {
  checkConfirmation(input);
  await enqueue("delete-account", { userId: user.id });
  forgetUserSessions(user.id);
  await revokeAccess(db(), user.id);
  forgetUserSessions(user.id); // before and after, as lib/auth/session.ts does
  log().info({ userId: user.id }, "account deletion requested");
}

/** Starts an export, or answers the one already being made. */
export async function startExport(user: SessionUser): Promise<ExportView> {
  const running = await findUnfinishedExport(db(), user.id);
  if (running) return toExportView(running);
  const row = await createExport(db(), user.id);
  try {
    await enqueue("export-data", { exportId: row.id });
  } catch (err) {
    // Nothing half-made: without its job the export would wait forever.
    await deleteExportRow(db(), row.id);
    throw err;
  }
  await publishExport(row).catch(() => {});
  return toExportView(row);
}

export async function recentExports(user: SessionUser): Promise<ExportView[]> {
  return (await listExports(db(), user.id)).map((r) => toExportView(r));
}

/** A ready, unexpired export of this user (what the download route streams). */
export async function downloadableExport(user: SessionUser, id: string): Promise<ExportRow & { storageKey: string }> {
  const row = await getOwnedExport(db(), user.id, id);
  if (row.status !== "ready" || !row.storageKey) throw new ConflictError("not_ready", "This export is not ready yet: its progress is shown in Settings.");
  if (isExpired(row)) throw new GoneError("expired", "This download expired 24 hours after it was made. Start a new export in Settings.");
  return row as ExportRow & { storageKey: string };
}

export function usageOf(user: SessionUser): Promise<StorageUsage> {
  return storageUsage(db(), user.id, env().USER_STORAGE_QUOTA_BYTES);
}
