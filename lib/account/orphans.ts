// The orphan collector (the collect-orphans maintenance job): stored objects nothing refers
// to any more — renders replaced by a re-render, files of rows that are gone (a delete whose
// storage call failed, a render that finished after its vlog was deleted), cached analyses
// no photo uses, expired data exports, and upload temp files a killed process left. Only
// objects older than the grace period are touched, so work in flight (a render writing its
// new video before saving it) is never taken. Every removal is logged. Running it twice
// removes nothing the second time: it only ever deletes what it can prove is unreferenced.
import type { Db } from "@/lib/db";
import { deleteUnusedAnalyses } from "@/lib/media/delete";
import { sweepTempFiles } from "@/lib/storage/temp-files";
import type { ListedObject, Storage } from "@/lib/storage/types";
import { deleteExportRow, findExpiredExports } from "./exports";
import { isUuid, segment } from "./owned";
import { OWNED } from "./owned-kinds";

/** Objects put for ingesting as episodes (lib/podcasts/keys.ts ingestPrefix), kept while their account exists. */
const INCOMING = "incoming/";

export interface OrphanDeps {
  db: Db;
  storage: Storage;
  /** Objects younger than this are never removed. */
  graceMs: number;
  /** The upload spool (DATA_DIR/tmp): files older than the grace period are left-overs. */
  tmpDir?: string;
  now?: () => Date;
  /** One line per removal and a summary; default: nothing. */
  log?: (fields: Record<string, unknown>, message: string) => void;
}

export interface OrphanReport {
  scanned: number;
  removed: string[];
  expiredExports: number;
  unusedAnalyses: number;
  tempFiles: number;
}

/** The folders the app writes; anything else in the bucket is not ours to judge. */
export const COLLECTED_PREFIXES = [...OWNED.flatMap((kind) => kind.objects?.prefixes ?? []), INCOMING] as const;

const PAGE = 500;

/** Which of these objects are still referenced by a row (the rest are orphans). */
async function referenced(db: Db, objects: ListedObject[]): Promise<Set<string>> {
  const live = new Set<string>();
  const keys = objects.map((o) => o.key);
  for (const kind of OWNED) {
    if (!kind.objects) continue;
    const mine = keys.filter((k) => kind.objects!.prefixes.some((prefix) => k.startsWith(prefix)));
    if (mine.length) for (const key of await kind.objects.referenced(db, mine)) live.add(key);
  }
  // incoming/<ownerId>/…: the person may still ingest it, as long as they have an account.
  const incoming = keys.filter((k) => k.startsWith(INCOMING));
  if (incoming.length) {
    const owners = [...new Set(incoming.map((k) => segment(k, 1)))].filter(isUuid);
    const users = new Set((await db.user.findMany({ where: { id: { in: owners } }, select: { id: true } })).map((u) => u.id));
    for (const key of incoming) if (users.has(segment(key, 1) ?? "")) live.add(key);
  }
  return live;
}

export async function collectOrphans(deps: OrphanDeps): Promise<OrphanReport> {
  const now = deps.now?.() ?? new Date();
  const cutoff = new Date(now.getTime() - deps.graceMs);
  const report: OrphanReport = { scanned: 0, removed: [], expiredExports: 0, unusedAnalyses: 0, tempFiles: 0 };

  // Exports past their 24 hours: the row goes first (the link stops at once), then the file.
  for (const e of await findExpiredExports(deps.db, now)) {
    await deleteExportRow(deps.db, e.id);
    report.expiredExports += 1;
    if (e.storageKey) {
      await deps.storage.delete(e.storageKey);
      report.removed.push(e.storageKey);
      deps.log?.({ key: e.storageKey, reason: "export expired" }, "orphan removed");
    }
  }

  // The photos' analysis cache: its thumbnails go with it.
  for (const key of await deleteUnusedAnalyses(deps.db, deps.storage, cutoff)) {
    report.unusedAnalyses += 1;
    report.removed.push(key);
    deps.log?.({ key, reason: "analysis no photo uses" }, "orphan removed");
  }

  for (const prefix of COLLECTED_PREFIXES) {
    let page: ListedObject[] = [];
    const judge = async () => {
      const old = page.filter((o) => o.modifiedAt < cutoff);
      const live = old.length ? await referenced(deps.db, old) : new Set<string>();
      for (const o of old) {
        if (live.has(o.key)) continue;
        await deps.storage.delete(o.key);
        report.removed.push(o.key);
        deps.log?.({ key: o.key, bytes: o.size, modifiedAt: o.modifiedAt.toISOString(), reason: "nothing refers to it" }, "orphan removed");
      }
      page = [];
    };
    for await (const object of deps.storage.list(prefix)) {
      report.scanned += 1;
      page.push(object);
      if (page.length >= PAGE) await judge();
    }
    await judge();
  }

  if (deps.tmpDir) report.tempFiles = await sweepTempFiles(deps.tmpDir, deps.graceMs, now.getTime());
  deps.log?.(
    { scanned: report.scanned, removed: report.removed.length, expiredExports: report.expiredExports, unusedAnalyses: report.unusedAnalyses, tempFiles: report.tempFiles, graceHours: deps.graceMs / 3_600_000 },
    "orphan collection finished",
  );
  return report;
}
