// "Download all my data": one ZIP per request, built by the export-data job and kept for
// EXPORT_TTL_MS. This module owns the DataExport table, its public view and live kind.
import { keepOwned, type Db } from "@/lib/db";
import { defineLive } from "@/lib/events/kinds";
import { publish } from "@/lib/events/publish";
import type { Prisma } from "@/lib/generated/prisma/client";
import { NotFoundError } from "@/lib/errors";

/** How long a finished export can be downloaded. */
export const EXPORT_TTL_MS = 24 * 3_600_000;

export const exportKey = (ownerId: string, exportId: string) => `exports/${ownerId}/${exportId}.zip`;

export type ExportRow = Prisma.DataExportGetPayload<object>;
export type ExportStatus = ExportRow["status"];

export interface ExportView {
  id: string;
  status: ExportStatus;
  /** 0..1 */
  progress: number;
  note: string | null;
  error: string | null;
  bytes: number | null;
  /** Where to download it while it is ready and not expired. */
  downloadUrl: string | null;
  expiresAt: string | null;
  createdAt: string;
  version: number;
}

export const isExpired = (row: Pick<ExportRow, "expiresAt">, now = new Date()) => Boolean(row.expiresAt && row.expiresAt <= now);

export function toExportView(row: ExportRow, now = new Date()): ExportView {
  const usable = row.status === "ready" && !isExpired(row, now);
  return {
    id: row.id,
    status: row.status,
    progress: row.status === "ready" ? 1 : row.progress,
    note: row.note,
    error: row.error,
    bytes: row.bytes === null ? null : Number(row.bytes),
    downloadUrl: usable ? `/api/account/exports/${row.id}/download` : null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    version: row.version,
  };
}

export const exportLive = defineLive("export", {
  load: async (db, ownerId, ids) => keepOwned(await db.dataExport.findMany({ where: { id: { in: [...ids] } } }), ownerId).map((r) => toExportView(r)),
  idOf: (view) => view.id,
  isTerminal: (view) => view.status === "ready" || view.status === "failed",
});

export function publishExport(row: ExportRow): Promise<string> {
  return publish(exportLive, row.ownerId, toExportView(row));
}

export function createExport(db: Db, ownerId: string) {
  return db.dataExport.create({ data: { ownerId } });
}

/** An export still being made for this owner, if any (one at a time is enough). */
export function findUnfinishedExport(db: Db, ownerId: string) {
  return db.dataExport.findFirst({ where: { ownerId, status: { in: ["queued", "running"] } }, orderBy: { createdAt: "desc" } });
}

export function listExports(db: Db, ownerId: string, limit = 5) {
  return db.dataExport.findMany({ where: { ownerId }, orderBy: { createdAt: "desc" }, take: limit });
}

export async function getOwnedExport(db: Db, ownerId: string, id: string): Promise<ExportRow> {
  const row = await db.dataExport.findFirst({ where: { id, ownerId } });
  if (!row) throw new NotFoundError("That export");
  return row;
}

export function getExport(db: Db, id: string) {
  return db.dataExport.findUnique({ where: { id } });
}

export function updateExport(db: Db, id: string, data: Prisma.DataExportUpdateInput) {
  return db.dataExport.update({ where: { id }, data: { ...data, version: { increment: 1 } } });
}

/** Exports past their download window (the collector deletes their file and row). */
export function findExpiredExports(db: Db, now: Date, limit = 100) {
  return db.dataExport.findMany({ where: { expiresAt: { lte: now } }, take: limit });
}

export function deleteExportRow(db: Db, id: string) {
  return db.dataExport.deleteMany({ where: { id } });
}

export function countOwnedExports(db: Db, ownerId: string) {
  return db.dataExport.count({ where: { ownerId } });
}

/** Which of these keys are a data export's ZIP. */
export async function referencedExportKeys(db: Db, keys: readonly string[]): Promise<string[]> {
  return (await db.dataExport.findMany({ where: { storageKey: { in: [...keys] } }, select: { storageKey: true } })).map((e) => e.storageKey!);
}

export function someOwnedExports(db: Db, ownerId: string, take: number) {
  return db.dataExport.findMany({ where: { ownerId }, take, select: { id: true, storageKey: true } });
}
