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
import type { Storage } from "@/lib/storage/types";
import { EXPORT_TTL_MS, exportKey, getExport, updateExport, type ExportRow } from "./exports";
import type { ExportEntry } from "./owned";
import { OWNED } from "./owned-kinds";

export interface ExportDeps {
  db: Db;
  storage: Storage;
  /** Where the ZIP is written before it is stored (DATA_DIR/tmp: same disk as local storage). */
  tmpDir: string;
  /** Tells open pages (the live kind); default: nothing. */
  announce?: (row: ExportRow) => Promise<unknown>;
}

/** What goes into the archive, in order: the inventory comes from Postgres, the bytes from storage. */
async function inventory(db: Db, ownerId: string): Promise<ExportEntry[]> {
  const user = await db.user.findUniqueOrThrow({ where: { id: ownerId }, select: { email: true, createdAt: true } });
  const entries: ExportEntry[] = [{ name: "account.json", json: { email: user.email, createdAt: user.createdAt, exportedAt: new Date() } }];
  for (const kind of OWNED) if (kind.exportEntries) entries.push(...(await kind.exportEntries(db, ownerId)));
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
