// Storage accounting per user, and the optional quota (USER_STORAGE_QUOTA_BYTES). What counts
// is what a person keeps: photo originals, rendered vlogs, episode uploads and their encoded
// audio. Thumbnails, posters, transcripts and exports are small or temporary and not counted.
// Summed from Postgres on demand (one indexed aggregate per kind, each domain's usedBytes in
// ./owned-kinds.ts), so it can never drift.
import type { Db, Tx } from "@/lib/db";
import { RejectedInputError } from "@/lib/errors";
import { OWNED } from "./owned-kinds";

export interface StorageUsage {
  usedBytes: number;
  /** null: no quota (the default). */
  quotaBytes: number | null;
  /** null without a quota; never below 0. */
  remainingBytes: number | null;
  byKind: { photos: number; vlogs: number; episodes: number };
}

export async function storageUsage(db: Tx, ownerId: string, quotaBytes: number | null | undefined): Promise<StorageUsage> {
  const counted = await Promise.all(OWNED.map(async (kind) => [kind.name, (await kind.usedBytes?.(db, ownerId)) ?? 0] as const));
  const bytesOf = new Map(counted);
  const byKind = { photos: bytesOf.get("photos") ?? 0, vlogs: bytesOf.get("vlogs") ?? 0, episodes: bytesOf.get("episodes") ?? 0 };
  const usedBytes = counted.reduce((sum, [, bytes]) => sum + bytes, 0);
  const quota = quotaBytes ?? null;
  return { usedBytes, quotaBytes: quota, remainingBytes: quota === null ? null : Math.max(0, quota - usedBytes), byKind };
}

/** "12.3 MB", "850 KB", "1.2 GB": sizes as a person reads them. */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.ceil(n / 1024)} KB`;
}

/** The refusal of a file that does not fit: 413, saying how much room is left. */
export function overQuota(name: string, bytes: number, usage: Pick<StorageUsage, "usedBytes" | "quotaBytes">): RejectedInputError {
  const quota = usage.quotaBytes ?? 0;
  const remaining = Math.max(0, quota - usage.usedBytes);
  return new RejectedInputError(
    "over_quota",
    `${name} needs ${formatBytes(bytes)}, but only ${formatBytes(remaining)} of your ${formatBytes(quota)} storage is left. Delete photos, vlogs or episodes to make room.`,
    { details: { usedBytes: usage.usedBytes, quotaBytes: quota, remainingBytes: remaining } },
  );
}

/**
 * The early check for one upload request, before anything is stored: each file either fits
 * in what is left (and counts against it for the next) or is refused with `overQuota`.
 * Without a quota, everything fits. Two requests at the same moment can each see the same
 * room here; `withinQuota` is what holds the line when their rows are written.
 */
export async function quotaCheck(db: Db, ownerId: string, quotaBytes: number | undefined) {
  if (!quotaBytes) return () => null;
  const usage = await storageUsage(db, ownerId, quotaBytes);
  let used = usage.usedBytes;
  return (name: string, bytes: number): RejectedInputError | null => {
    if (used + bytes > quotaBytes) return overQuota(name, bytes, { usedBytes: used, quotaBytes });
    used += bytes;
    return null;
  };
}

/**
 * Inside the transaction that writes the row counting `bytes`: checks they still fit, holding
 * a per-owner lock until that transaction ends, so two uploads at once queue here and cannot
 * both take the last room (the second throws `overQuota`). Without a quota it does nothing.
 */
export async function claimQuota(tx: Tx, ownerId: string, quotaBytes: number | undefined, name: string, bytes: number): Promise<void> {
  if (!quotaBytes) return;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`quota:${ownerId}`}))`;
  const usage = await storageUsage(tx, ownerId, quotaBytes);
  if (usage.usedBytes + bytes > quotaBytes) throw overQuota(name, bytes, usage);
}

/** `write` (which inserts the row counting `bytes`) under `claimQuota`; without a quota, no transaction at all. */
export async function withinQuota<T>(db: Db, ownerId: string, quotaBytes: number | undefined, name: string, bytes: number, write: (tx: Tx) => Promise<T>): Promise<T> {
  if (!quotaBytes) return write(db);
  return db.$transaction(async (tx) => {
    await claimQuota(tx, ownerId, quotaBytes, name, bytes);
    return write(tx);
  });
}
