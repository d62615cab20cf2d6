// The orphan collector on both storage drivers (local disk, and S3 through s3rver on
// 127.0.0.1), against real Postgres: plant live objects and orphans, then show that nothing
// goes inside the grace period, only orphans go after it, and a second run removes nothing.
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createLocalStorage, createS3Storage, type Storage } from "@/lib/storage";
import { VLOG_KIND, VLOG_PLAN } from "@/lib/vlogs/plan";
import { createRun } from "@/lib/workflow/repository";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { exportKey } from "./exports";
import { collectOrphans } from "./orphans";

const HOUR = 3_600_000;

let iso: IsolatedEnv;
let s3: S3rver;
let base: string;
const drivers: Record<string, () => Storage> = {};

beforeAll(async () => {
  iso = await isolate();
  base = await mkdtemp(path.join(os.tmpdir(), "framecast-orphans-"));
  await mkdir(path.join(base, "s3rver"));
  s3 = new S3rver({ address: "127.0.0.1", port: 0, directory: path.join(base, "s3rver"), silent: true, configureBuckets: [{ name: "orphans" }] });
  const { port } = await s3.run();
  const local = createLocalStorage(path.join(base, "local"));
  const remote = createS3Storage({ endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", bucket: "orphans", accessKeyId: "S3RVER", secretAccessKey: "S3RVER", forcePathStyle: true });
  drivers.local = () => local;
  drivers.s3 = () => remote;
});

afterAll(async () => {
  await s3?.close();
  await db().$disconnect();
  await iso?.teardown();
  if (base) await rm(base, { recursive: true, force: true });
});

/** Live rows with their objects, and objects nobody refers to; returns both lists of keys. */
async function plant(storage: Storage, tmpDir: string) {
  const put = (key: string) => storage.putBuffer(key, Buffer.from(key), "application/octet-stream");
  const user = await db().user.create({ data: { email: `${randomUUID()}@orphans.test`, passwordHash: "x" } });
  const sha = randomUUID().replace(/-/g, "");
  const live: string[] = [];
  const orphans: string[] = [];

  // A photo with its original and its cached analysis' thumbnail.
  const original = `originals/2026/12/${randomUUID()}`;
  await db().analysis.create({ data: { sha256: sha, width: 1, height: 1, format: "jpeg", thumbnailKey: `thumbs/${sha}.webp`, colours: [], phash: "0", caption: "", tags: [], provider: "local" } });
  await db().media.create({ data: { ownerId: user.id, originalName: "a.jpg", mime: "image/jpeg", size: 1, sha256: sha, storageKey: original, status: "done", analysisSha: sha } });
  live.push(original, `thumbs/${sha}.webp`);

  // A vlog rendered twice: generation 1 is current, generation 0's files were replaced.
  const run = await createRun(db(), VLOG_PLAN, { kind: VLOG_KIND, ownerId: user.id, input: {}, autoProgressSteps: true, autoProgressPhases: true });
  await db().workflowRun.update({ where: { id: run.id }, data: { status: "completed", generation: 1 } });
  const vlog = await db().vlog.create({ data: { ownerId: user.id, runId: run.id, style: "cinematic", resolution: "720p", mediaIds: [], videoKey: "", posterKey: "" } });
  const current = { video: `vlogs/${vlog.id}/g1/video.mp4`, poster: `vlogs/${vlog.id}/g1/poster.jpg` };
  await db().vlog.update({ where: { id: vlog.id }, data: { videoKey: current.video, posterKey: current.poster } });
  live.push(current.video, current.poster);
  orphans.push(`vlogs/${vlog.id}/g0/video.mp4`, `vlogs/${vlog.id}/g0/poster.jpg`, `vlogs/${vlog.id}/g1/clips/${randomUUID()}.mp4`);

  // A ready export (kept), an expired one (row and file go), and files whose row is gone.
  const ready = await db().dataExport.create({ data: { ownerId: user.id, status: "ready" } });
  await db().dataExport.update({ where: { id: ready.id }, data: { storageKey: exportKey(user.id, ready.id), expiresAt: new Date(Date.now() + 20 * HOUR) } });
  live.push(exportKey(user.id, ready.id));
  const expired = await db().dataExport.create({ data: { ownerId: user.id, status: "ready" } });
  await db().dataExport.update({ where: { id: expired.id }, data: { storageKey: exportKey(user.id, expired.id), expiresAt: new Date(Date.now() - HOUR) } });
  orphans.push(exportKey(user.id, expired.id));

  // Something to ingest later, by someone who still has an account.
  live.push(`incoming/${user.id}/recording.wav`);

  orphans.push(
    `originals/2026/12/${randomUUID()}`, // its photo row is gone
    `thumbs/${randomUUID().replace(/-/g, "")}.webp`, // no cached analysis has it
    `vlogs/${randomUUID()}/g0/video.mp4`, // its vlog was deleted
    `podcasts/${randomUUID()}/artwork-abc.jpg`, // its show was deleted
    `exports/${user.id}/${randomUUID()}.zip`, // no export row
    `incoming/${randomUUID()}/left.wav`, // its person deleted their account
  );
  // A cached analysis no photo uses any more (its thumbnail goes with it).
  const unusedSha = randomUUID().replace(/-/g, "");
  await db().analysis.create({ data: { sha256: unusedSha, width: 1, height: 1, format: "jpeg", thumbnailKey: `thumbs/${unusedSha}.webp`, colours: [], phash: "0", caption: "", tags: [], provider: "local" } });
  orphans.push(`thumbs/${unusedSha}.webp`);

  // Not ours to judge: other folders are never touched.
  live.push(`backups/${randomUUID()}.tar`);

  for (const key of [...live, ...orphans]) await put(key);
  await mkdir(tmpDir, { recursive: true });
  const temp = path.join(tmpDir, randomUUID());
  await writeFile(temp, "half an upload");
  const old = new Date(Date.now() - 2 * HOUR);
  await utimes(temp, old, old);
  return { live, orphans, unusedSha, expiredId: expired.id };
}

async function keys(storage: Storage): Promise<string[]> {
  const found: string[] = [];
  for await (const o of storage.list("")) found.push(o.key);
  return found.sort();
}

describe.each(["local", "s3"])("orphan collector on %s storage", (driver) => {
  it("removes only orphans, only after the grace period, and nothing on a second run", async () => {
    const storage = drivers[driver]();
    const tmpDir = path.join(base, `tmp-${driver}`);
    const { live, orphans, unusedSha, expiredId } = await plant(storage, tmpDir);
    const lines: string[] = [];
    const run = (now: Date) =>
      collectOrphans({ db: db(), storage, graceMs: HOUR, tmpDir, now: () => now, log: (fields, message) => lines.push(`${message} ${String(fields.key ?? "")}`) });

    // Everything was just written: inside the grace period nothing is removed, orphan or not
    // (bar the export whose 24 hours are over, which goes at once).
    const early = await run(new Date());
    expect(early.removed).toEqual([orphans.find((k) => k.includes(expiredId))]);
    expect(early.tempFiles).toBe(1); // the temp file is two hours old already

    // Two hours on: the orphans go, the live objects stay.
    const later = new Date(Date.now() + 2 * HOUR);
    const second = await run(later);
    expect([...early.removed, ...second.removed].sort()).toEqual([...orphans].sort());
    expect(await keys(storage)).toEqual(expect.arrayContaining(live));
    for (const key of orphans) expect(await keys(storage)).not.toContain(key);
    expect(await db().analysis.findUnique({ where: { sha256: unusedSha } })).toBeNull();
    expect(await db().dataExport.findUnique({ where: { id: expiredId } })).toBeNull();
    // Each removal was logged with its key.
    for (const key of second.removed) expect(lines).toContain(`orphan removed ${key}`);

    // Idempotent: run again, nothing more goes.
    const third = await run(later);
    expect(third.removed).toEqual([]);
    expect(third.tempFiles).toBe(0);
    expect(await keys(storage)).toEqual(expect.arrayContaining(live));
  });
});
