// The orphan collector (the collect-orphans maintenance job): stored objects nothing refers
// to any more — renders replaced by a re-render, files of rows that are gone (a delete whose
// storage call failed, a render that finished after its vlog was deleted), cached analyses
// no photo uses, expired data exports, and upload temp files a killed process left. Only
// objects older than the grace period are touched, so work in flight (a render writing its
// new video before saving it) is never taken. Every removal is logged. Running it twice
// removes nothing the second time: it only ever deletes what it can prove is unreferenced.
import type { Db } from "@/lib/db";
import { sweepTempFiles } from "@/lib/storage/temp-files";
import { publishedKeysOf } from "@/lib/podcasts/steps/feed";
import type { ListedObject, Storage } from "@/lib/storage/types";
import { deleteExportRow, findExpiredExports } from "./exports";

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
export const COLLECTED_PREFIXES = ["originals/", "thumbs/", "vlogs/", "podcasts/", "exports/", "incoming/"] as const;

const PAGE = 500;

/** Which of these objects are still referenced by a row (the rest are orphans). */
async function referenced(db: Db, objects: ListedObject[]): Promise<Set<string>> {
  const live = new Set<string>();
  const keys = objects.map((o) => o.key);
  const under = (prefix: string) => keys.filter((k) => k.startsWith(prefix));
  const segment = (key: string, i: number) => key.split("/")[i];

  const originals = under("originals/");
  if (originals.length) for (const m of await db.media.findMany({ where: { storageKey: { in: originals } }, select: { storageKey: true } })) live.add(m.storageKey);

  const thumbs = under("thumbs/");
  if (thumbs.length) for (const a of await db.analysis.findMany({ where: { thumbnailKey: { in: thumbs } }, select: { thumbnailKey: true } })) live.add(a.thumbnailKey);

  // vlogs/<vlogId>/g<generation>/…: the current video and poster; while the run can still
  // render (not completed), everything of its current generation (clips a retry reuses).
  const vlogKeys = under("vlogs/");
  if (vlogKeys.length) {
    const ids = [...new Set(vlogKeys.map((k) => segment(k, 1)))].filter(isUuid);
    const vlogs = new Map(
      (await db.vlog.findMany({ where: { id: { in: ids } }, select: { id: true, videoKey: true, posterKey: true, run: { select: { generation: true, status: true } } } })).map((v) => [v.id, v]),
    );
    for (const key of vlogKeys) {
      const vlog = vlogs.get(segment(key, 1));
      if (!vlog) continue;
      if (key === vlog.videoKey || key === vlog.posterKey) live.add(key);
      else if (segment(key, 2) === `g${vlog.run.generation}` && vlog.run.status !== "completed") live.add(key);
    }
  }

  // podcasts/<showId>/artwork-….jpg | feed/v<n>.xml | <episodeId>/source.*, cover.jpg, g<n>/…
  const podcastKeys = under("podcasts/");
  if (podcastKeys.length) {
    const showIds = [...new Set(podcastKeys.map((k) => segment(k, 1)))].filter(isUuid);
    const shows = new Map((await db.show.findMany({ where: { id: { in: showIds } }, select: { id: true, artworkKey: true, feedVersion: true } })).map((s) => [s.id, s]));
    const episodeIds = [...new Set(podcastKeys.map((k) => segment(k, 2)))].filter(isUuid);
    const episodes = new Map(
      (await db.episode.findMany({ where: { id: { in: episodeIds } }, select: { id: true, showId: true, sourceKey: true, audioKey: true, files: true, run: { select: { generation: true } } } })).map((e) => [e.id, e]),
    );
    for (const key of podcastKeys) {
      const show = shows.get(segment(key, 1));
      if (!show) continue;
      const third = segment(key, 2);
      if (key === show.artworkKey) live.add(key);
      else if (third === "feed") {
        // The current feed, the one before (requests may be reading it) and one being built.
        const version = Number(/^v(\d+)\.xml$/.exec(segment(key, 3) ?? "")?.[1]);
        if (Number.isFinite(version) && version >= show.feedVersion - 1) live.add(key);
      } else if (isUuid(third)) {
        const episode = episodes.get(third);
        if (!episode || episode.showId !== show.id) continue;
        const fourth = segment(key, 3);
        if (!/^g\d+$/.test(fourth)) live.add(key); // the upload as received, its cover
        else if (publishedKeysOf(episode).includes(key) || fourth === `g${episode.run.generation}`) live.add(key);
      }
    }
  }

  const exportKeys = under("exports/");
  if (exportKeys.length) for (const e of await db.dataExport.findMany({ where: { storageKey: { in: exportKeys } }, select: { storageKey: true } })) live.add(e.storageKey!);

  // incoming/<ownerId>/…: the person may still ingest it, as long as they have an account.
  const incoming = under("incoming/");
  if (incoming.length) {
    const owners = [...new Set(incoming.map((k) => segment(k, 1)))].filter(isUuid);
    const users = new Set((await db.user.findMany({ where: { id: { in: owners } }, select: { id: true } })).map((u) => u.id));
    for (const key of incoming) if (users.has(segment(key, 1))) live.add(key);
  }
  return live;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (s: string | undefined): s is string => Boolean(s && UUID.test(s));

/** Cached analyses older than the grace period that no photo (of anyone) has the bytes of. */
async function collectUnusedAnalyses(deps: OrphanDeps, cutoff: Date, report: OrphanReport): Promise<void> {
  let cursor: string | undefined;
  for (;;) {
    const page = await deps.db.analysis.findMany({
      where: { createdAt: { lt: cutoff } },
      select: { sha256: true, thumbnailKey: true },
      orderBy: { sha256: "asc" },
      take: PAGE,
      ...(cursor ? { cursor: { sha256: cursor }, skip: 1 } : {}),
    });
    if (page.length === 0) return;
    cursor = page[page.length - 1].sha256;
    const used = new Set((await deps.db.media.findMany({ where: { sha256: { in: page.map((a) => a.sha256) } }, select: { sha256: true }, distinct: ["sha256"] })).map((m) => m.sha256));
    for (const a of page.filter((a) => !used.has(a.sha256))) {
      // Re-checked under the same lock a photo delete takes, so a new upload of these bytes wins.
      const gone = await deps.db.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`analysis:${a.sha256}`}))`;
        if ((await tx.media.count({ where: { sha256: a.sha256 } })) > 0) return false;
        return (await tx.analysis.deleteMany({ where: { sha256: a.sha256 } })).count === 1;
      });
      if (!gone) continue;
      report.unusedAnalyses += 1;
      await deps.storage.delete(a.thumbnailKey);
      report.removed.push(a.thumbnailKey);
      deps.log?.({ key: a.thumbnailKey, reason: "analysis no photo uses" }, "orphan removed");
    }
    if (page.length < PAGE) return;
  }
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

  await collectUnusedAnalyses(deps, cutoff, report);

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
