// The export-data job's work: every file and record of one person in one ZIP, streamed
// (yazl) from storage through a temp file into storage again, so memory stays flat however
// much there is. Idempotent: a ready export is left alone; a retried one starts again.
import { createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { pipeline } from "node:stream/promises";
import { ZipFile } from "yazl";
import type { Db } from "@/lib/db";
import { toMediaDetail } from "@/lib/media/detail";
import type { Storage } from "@/lib/storage/types";
import { toVlogView } from "@/lib/vlogs/view";
import { EXPORT_TTL_MS, exportKey, getExport, updateExport, type ExportRow } from "./exports";

export interface ExportDeps {
  db: Db;
  storage: Storage;
  /** Where the ZIP is written before it is stored (DATA_DIR/tmp: same disk as local storage). */
  tmpDir: string;
  /** Tells open pages (the live kind); default: nothing. */
  announce?: (row: ExportRow) => Promise<unknown>;
}

/** One entry of the archive: a stored object or bytes made here. */
type Entry = { name: string; key: string; mtime?: Date } | { name: string; json: unknown; mtime?: Date };

/** A name safe in a ZIP on every system: no separators, control characters or reserved marks. */
export function safeName(raw: string, fallback: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are stripped on purpose
  const cleaned = raw.replace(/[/\\:*?"<>|\x00-\x1f]+/g, " ").replace(/\s+/g, " ").trim().replace(/^\.+/, "").slice(0, 80);
  return cleaned || fallback;
}

const extOf = (mime: string) => ({ "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif", "image/avif": "avif", "image/heic": "heic", "image/heif": "heif", "image/tiff": "tiff" })[mime] ?? "bin";

/** What goes into the archive, in order: the inventory comes from Postgres, the bytes from storage. */
async function inventory(db: Db, ownerId: string): Promise<Entry[]> {
  const user = await db.user.findUniqueOrThrow({ where: { id: ownerId }, select: { email: true, createdAt: true } });
  const entries: Entry[] = [{ name: "account.json", json: { email: user.email, createdAt: user.createdAt, exportedAt: new Date() } }];

  const photos = await db.media.findMany({ where: { ownerId }, include: { analysis: true }, orderBy: { createdAt: "asc" } });
  for (const p of photos) {
    const base = `photos/${p.id.slice(0, 8)} ${safeName(p.originalName.replace(/\.[^.]*$/, ""), "photo")}`;
    entries.push({ name: `${base}.${extOf(p.mime)}`, key: p.storageKey, mtime: p.createdAt });
    entries.push({ name: `${base}.json`, json: { ...toMediaDetail(p), sha256: p.sha256, mime: p.mime }, mtime: p.createdAt });
  }

  const vlogs = await db.vlog.findMany({ where: { ownerId }, include: { run: { include: { steps: { orderBy: { position: "asc" } } } } }, orderBy: { createdAt: "asc" } });
  for (const v of vlogs) {
    const view = toVlogView(v);
    const base = `vlogs/${v.id.slice(0, 8)} ${safeName(view.title, "vlog")}`;
    if (v.videoKey) entries.push({ name: `${base}.mp4`, key: v.videoKey, mtime: v.updatedAt });
    entries.push({ name: `${base}.json`, json: { title: view.title, style: v.style, resolution: v.resolution, status: view.status, storyboard: v.storyboard, photoIds: v.mediaIds, durationSec: v.durationSec, createdAt: v.createdAt }, mtime: v.updatedAt });
  }

  const shows = await db.show.findMany({ where: { ownerId }, include: { episodes: { orderBy: { createdAt: "asc" } } }, orderBy: { createdAt: "asc" } });
  for (const show of shows) {
    const dir = `podcasts/${safeName(show.title, "show")} ${show.id.slice(0, 8)}`;
    entries.push({ name: `${dir}/show.json`, json: { title: show.title, description: show.description, author: show.author, language: show.language, category: show.category, explicit: show.explicit, createdAt: show.createdAt } });
    if (show.artworkKey) entries.push({ name: `${dir}/artwork.jpg`, key: show.artworkKey });
    for (const e of show.episodes) {
      const base = `${dir}/${e.id.slice(0, 8)} ${safeName(e.title ?? e.originalName, "episode")}`;
      entries.push({ name: `${base} (original).${e.sourceKey.split(".").pop() ?? "audio"}`, key: e.sourceKey, mtime: e.createdAt });
      if (e.audioKey) entries.push({ name: `${base}.mp3`, key: e.audioKey, mtime: e.updatedAt });
      entries.push({
        name: `${base}.json`,
        json: { title: e.title, summary: e.summary, showNotes: e.showNotes, keywords: e.keywords, chapters: e.chapters, transcript: e.transcript, durationSec: e.durationSec, season: e.season, episodeNumber: e.episodeNumber, publishedAt: e.publishedAt, createdAt: e.createdAt },
        mtime: e.updatedAt,
      });
    }
  }

  const jobs = await db.job.findMany({ where: { ownerId }, orderBy: { createdAt: "asc" }, select: { id: true, type: true, status: true, payload: true, result: true, errorMessage: true, createdAt: true, completedAt: true } });
  if (jobs.length > 0) entries.push({ name: "ai-jobs.json", json: jobs });
  return entries;
}

const README = `Your Framecast data

account.json      your account
photos/           each original as uploaded, and its analysis (caption, tags, colours, EXIF) as JSON
vlogs/            each rendered video, and its storyboard as JSON
podcasts/         per show: its details and artwork; per episode the audio you uploaded, the
                  published MP3 and the title, notes, chapters and transcript as JSON
ai-jobs.json      the AI jobs you ran through the API, with their results
`;

/** Builds the export's ZIP and stores it; the row says how far it got at every step. */
export async function buildExport(deps: ExportDeps, exportId: string): Promise<{ skipped?: string; bytes?: number; entries?: number }> {
  const row = await getExport(deps.db, exportId);
  if (!row) return { skipped: "deleted" };
  if (row.status === "ready") return { skipped: "already ready" };
  const announce = deps.announce ?? (async () => {});
  await announce(await updateExport(deps.db, exportId, { status: "running", progress: 0, note: "Listing your files", error: null }));

  const entries = await inventory(deps.db, row.ownerId);
  await mkdir(deps.tmpDir, { recursive: true });
  const file = path.join(deps.tmpDir, `export-${randomUUID()}.zip`);
  try {
    const zip = new ZipFile();
    const written = pipeline(zip.outputStream, createWriteStream(file));
    zip.addBuffer(Buffer.from(README), "README.txt");
    const step = Math.max(1, Math.floor(entries.length / 50));
    let done = 0;
    const missing: string[] = [];
    for (const entry of entries) {
      if ("json" in entry) {
        zip.addBuffer(Buffer.from(JSON.stringify(entry.json, null, 2)), entry.name, { mtime: entry.mtime ?? new Date() });
      } else {
        // Checked first: an object gone meanwhile (deleted while we pack) is left out, not a broken archive.
        const found = await deps.storage.stat(entry.key);
        if (!found) {
          missing.push(entry.name);
          continue;
        }
        // Streams are opened one at a time, when yazl reaches the entry: one storage read in flight.
        await new Promise<void>((resolve, reject) => {
          zip.addReadStreamLazy(entry.name, { mtime: entry.mtime ?? new Date(), size: found.size }, (cb) => {
            deps.storage.getStream(entry.key).then(
              ({ stream }) => {
                cb(null, stream);
                stream.once("end", () => resolve());
                stream.once("error", reject);
              },
              (err) => {
                cb(err, undefined as unknown as NodeJS.ReadableStream);
                reject(err);
              },
            );
          });
        });
      }
      done += 1;
      if (done % step === 0 || done === entries.length) {
        await announce(await updateExport(deps.db, exportId, { progress: (0.95 * done) / entries.length, note: `Packed ${done} of ${entries.length} items` }));
      }
    }
    if (missing.length > 0) zip.addBuffer(Buffer.from(`Deleted while this export was made, so not included:\n${missing.join("\n")}\n`), "MISSING.txt");
    zip.end();
    await written;

    await announce(await updateExport(deps.db, exportId, { progress: 0.97, note: "Storing the archive" }));
    const key = exportKey(row.ownerId, exportId);
    const { size } = await stat(file);
    await deps.storage.putFile(key, file, "application/zip");
    const now = new Date();
    await announce(
      await updateExport(deps.db, exportId, { status: "ready", progress: 1, note: null, storageKey: key, bytes: BigInt(size), readyAt: now, expiresAt: new Date(now.getTime() + EXPORT_TTL_MS) }),
    );
    return { bytes: size, entries: entries.length };
  } finally {
    await rm(file, { force: true });
  }
}
