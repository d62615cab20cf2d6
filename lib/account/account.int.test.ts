// "Your data" over the HTTP handlers with the real worker runtime, Postgres, Redis and
// storage: download all my data (a ZIP read back with unzip), and delete my account (access
// ends at once, the job removes every row and object, run twice or after a crash it carries on).
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteAccountRoute } from "@/app/api/account/route";
import { GET as download } from "@/app/api/account/exports/[id]/download/route";
import { GET as listExports, POST as startExport } from "@/app/api/account/exports/route";
import { GET as exportStream } from "@/app/api/account/exports/stream/route";
import { POST as createToken } from "@/app/api/account/tokens/route";
import { POST as signInRoute } from "@/app/api/auth/signin/route";
import { GET as listMedia, POST as upload } from "@/app/api/v1/media/route";
import { POST as bulkDelete } from "@/app/api/v1/media/delete/route";
import { GET as mediaStream } from "@/app/api/v1/media/stream/route";
import { db } from "@/lib/db";
import { createRedis } from "@/lib/redis";
import { storage } from "@/lib/storage/instance";
import { call, photoForm, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { HOSTILE_DATA_REQUESTS } from "@/test/hostile-corpus";
import { publishedEpisode } from "@/test/podcasts";
import { makeJpeg } from "@/test/test-images";
import { renderedVlog } from "@/test/vlogs";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import { deleteAccount } from "./delete-account";
import type { ExportView } from "./exports";

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;

beforeAll(async () => {
  iso = await isolate();
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), { concurrency: 2, log: () => {} });
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
});

const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { "content-type": "application/json" } });

async function analysedPhotos(cookie: string, files: { name: string; bytes: Buffer }[]): Promise<string[]> {
  const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm(files) });
  expect(res.status).toBe(202);
  const ids = ((await res.json()).media as { id: string }[]).map((m) => m.id);
  await readSse(await call(mediaStream, { path: `/api/v1/media/stream?ids=${ids.join(",")}`, cookie }));
  return ids;
}

async function allKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of storage().list("")) keys.push(o.key);
  return keys.sort();
}

const userId = async (email: string) => (await db().user.findUniqueOrThrow({ where: { email } })).id;

describe("download all my data", () => {
  it("builds a ZIP of originals and analysis, vlog videos and episode audio in a job, shows its progress, and serves it for 24 hours", async () => {
    const cookie = await signUp("exporter@example.com");
    const photo = await makeJpeg({ width: 400, height: 300, seed: 31, exif: true });
    const [id] = await analysedPhotos(cookie, [{ name: "Harbour at dusk.jpg", bytes: photo }]);
    const vlog = await renderedVlog("exporter@example.com", [id]);
    const episode = await publishedEpisode("exporter@example.com");

    const started = await call(startExport, { path: "/api/account/exports", method: "POST", cookie });
    expect(started.status).toBe(202);
    const { export: view } = (await started.json()) as { export: ExportView };
    expect(view.status).toMatch(/queued|running/);
    // Asking again while it is being made answers the same export.
    const again = (await (await call(startExport, { path: "/api/account/exports", method: "POST", cookie })).json()) as { export: ExportView };
    if (again.export.status !== "ready") expect(again.export.id).toBe(view.id);

    const events = await readSse(await call(exportStream, { path: `/api/account/exports/stream?ids=${view.id}`, cookie }));
    const states = events.filter((e) => e.event === "export").map((e) => e.data as ExportView);
    const last = states.at(-1)!;
    expect(last.status, last.error ?? "").toBe("ready");
    expect(last.progress).toBe(1);
    expect(last.downloadUrl).toBe(`/api/account/exports/${view.id}/download`);
    expect(new Date(last.expiresAt!).getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    const progress = states.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const res = await call(download, { path: last.downloadUrl!, cookie, params: { id: view.id } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="framecast-data-\d{4}-\d{2}-\d{2}\.zip"/);
    const zip = path.join(iso.dataDir, "export.zip");
    await writeFile(zip, Buffer.from(await res.arrayBuffer()));
    execFileSync("unzip", ["-tq", zip]); // a sound archive: every entry's CRC checks
    const names = execFileSync("unzip", ["-Z1", zip], { encoding: "utf8" }).trim().split("\n");
    const stem = `photos/${id.slice(0, 8)} Harbour at dusk`;
    expect(names).toEqual(expect.arrayContaining(["README.txt", "account.json", `${stem}.jpg`, `${stem}.json`]));
    expect(execFileSync("unzip", ["-p", zip, `${stem}.jpg`]).equals(photo)).toBe(true);
    const analysis = JSON.parse(execFileSync("unzip", ["-p", zip, `${stem}.json`], { encoding: "utf8" }));
    expect(analysis).toMatchObject({ id, name: "Harbour at dusk.jpg", analysis: { width: 400, height: 300 } });
    // The vlog's video and storyboard; the episode's recording as uploaded, its MP3 and what was written.
    const entry = (pattern: RegExp) => {
      const found = names.filter((n) => pattern.test(n));
      expect(found, String(pattern)).toHaveLength(1);
      return found[0];
    };
    const video = entry(new RegExp(`^vlogs/${vlog.id.slice(0, 8)} .*\\.mp4$`));
    expect(execFileSync("unzip", ["-p", zip, video]).equals(await storage().getBuffer(vlog.keys.video))).toBe(true);
    expect(JSON.parse(execFileSync("unzip", ["-p", zip, entry(new RegExp(`^vlogs/${vlog.id.slice(0, 8)} .*\\.json$`))], { encoding: "utf8" }))).toMatchObject({ photoIds: [id] });
    const episodeEntry = (suffix: string) => entry(new RegExp(`^podcasts/.* ${episode.showId.slice(0, 8)}/${episode.id.slice(0, 8)} .*${suffix}$`));
    expect(execFileSync("unzip", ["-p", zip, episodeEntry("\\(original\\)\\.wav")]).equals(await storage().getBuffer(episode.keys.source))).toBe(true);
    expect(execFileSync("unzip", ["-p", zip, episodeEntry("\\.mp3")]).equals(await storage().getBuffer(episode.keys.audio))).toBe(true);
    expect(JSON.parse(execFileSync("unzip", ["-p", zip, episodeEntry("\\.json")], { encoding: "utf8" }))).toMatchObject({ title: "Interview" });

    // Someone else cannot fetch it; once expired it is refused with the reason.
    const other = await signUp("nosy@example.com");
    expect((await call(download, { path: last.downloadUrl!, cookie: other, params: { id: view.id } })).status).toBe(404);
    await db().dataExport.update({ where: { id: view.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await call(download, { path: last.downloadUrl!, cookie, params: { id: view.id } });
    expect(expired.status).toBe(410);
    expect((await expired.json()).error.message).toMatch(/expired 24 hours after it was made/);
    const listed = (await (await call(listExports, { path: "/api/account/exports", cookie })).json()).exports as ExportView[];
    expect(listed[0].downloadUrl).toBeNull();
  });
});

describe("hostile requests (test/hostile-corpus.ts)", () => {
  it("refuses each with its status and a readable reason, deleting nothing", async () => {
    const cookie = await signUp("hostile@example.com");
    const [photo] = await analysedPhotos(cookie, [{ name: "target.jpg", bytes: await makeJpeg({ width: 200, height: 200, seed: 71 }) }]);
    for (const c of HOSTILE_DATA_REQUESTS) {
      const res = c.route === "bulk-delete"
        ? await call(bulkDelete, { path: "/api/v1/media/delete", method: "POST", cookie, body: c.body, headers: { "content-type": "application/json" } })
        : await call(deleteAccountRoute, { path: "/api/account", method: "DELETE", cookie, body: c.body, headers: { "content-type": "application/json" } });
      expect(res.status, c.id).toBe(c.status);
      const { error } = await res.json();
      if (c.message) expect([error.message, ...Object.values(error.fields ?? {})].join(" "), c.id).toMatch(c.message);
    }
    expect(await db().media.findUnique({ where: { id: photo } }), "the photo is still there").not.toBeNull();
    expect((await call(listMedia, { path: "/api/v1/media", cookie })).status, "still signed in").toBe(200);
  });
});

describe("delete my account", () => {
  it("refuses without the typed confirmation, and changes nothing", async () => {
    const cookie = await signUp("careful@example.com");
    const res = await call(deleteAccountRoute, { path: "/api/account", method: "DELETE", cookie, ...json({ confirm: "delete" }) });
    expect(res.status).toBe(422);
    expect((await res.json()).error.fields.confirm).toMatch(/delete my account/);
    expect((await call(listMedia, { path: "/api/v1/media", cookie })).status).toBe(200);
  });

  it("ends access at once, then deletes every row and object of the user and nobody else's", async () => {
    const cookie = await signUp("leaving@example.com");
    const otherCookie = await signUp("staying@example.com");
    const shared = await makeJpeg({ width: 320, height: 240, seed: 41 });
    const mine = await analysedPhotos(cookie, [{ name: "mine.jpg", bytes: await makeJpeg({ width: 320, height: 240, seed: 40 }) }, { name: "shared.jpg", bytes: shared }]);
    const [kept] = await analysedPhotos(otherCookie, [{ name: "theirs.jpg", bytes: shared }]);
    // A rendered vlog and a published episode each (rows and stored files as their pipelines leave them).
    const vlog = await renderedVlog("leaving@example.com", mine);
    const episode = await publishedEpisode("leaving@example.com");
    const theirVlog = await renderedVlog("staying@example.com", [kept]);
    const theirEpisode = await publishedEpisode("staying@example.com");
    const token = (await (await call(createToken, { path: "/api/account/tokens", method: "POST", cookie, ...json({ name: "script", scopes: ["read"] }) })).json()).token as string;
    const before = await allKeys();
    const id = await userId("leaving@example.com");

    const res = await call(deleteAccountRoute, { path: "/api/account", method: "DELETE", cookie, ...json({ confirm: "  Delete My Account " }) });
    expect(res.status).toBe(202);
    expect(res.headers.get("set-cookie")).toMatch(/fc_session=;/);
    // Access has ended: the session, the API token, signing in again.
    expect((await call(listMedia, { path: "/api/v1/media", cookie })).status).toBe(401);
    expect((await call(listMedia, { path: "/api/v1/media", headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    await expect.poll(async () => db().user.findUnique({ where: { id } }), { timeout: 30_000 }).toBeNull();
    const signIn = await call(signInRoute, { path: "/api/auth/signin", method: "POST", ...json({ email: "leaving@example.com", password: "a long enough password" }) });
    expect(signIn.status).toBe(401);
    for (const [table, count] of Object.entries({
      media: await db().media.count({ where: { ownerId: id } }),
      vlogs: await db().vlog.count({ where: { ownerId: id } }),
      episodes: await db().episode.count({ where: { ownerId: id } }),
      shows: await db().show.count({ where: { ownerId: id } }),
      "workflow runs": await db().workflowRun.count({ where: { ownerId: id } }),
      sessions: await db().session.count({ where: { userId: id } }),
      tokens: await db().apiToken.count({ where: { userId: id } }),
    })) expect(count, table).toBe(0);

    // Their originals and the thumbnail only they used are gone; the shared bytes' analysis
    // stays for the other account's photo.
    const after = await allKeys();
    const keptRow = await db().media.findUniqueOrThrow({ where: { id: kept }, include: { analysis: true } });
    expect(after).toContain(keptRow.storageKey);
    expect(after).toContain(keptRow.analysis!.thumbnailKey);
    const removed = before.filter((k) => !after.includes(k));
    expect(removed.filter((k) => k.startsWith("originals/"))).toHaveLength(2);
    expect(removed.filter((k) => k.startsWith("thumbs/"))).toHaveLength(1);
    // Their vlog's video, poster and clip, their episode's recording, MP3 and transcript, and
    // their show's feed are gone — and nothing else.
    const theirs = [vlog.keys.video, vlog.keys.poster, vlog.keys.clip(mine[0]), ...Object.values(episode.keys)];
    expect(theirs.every((k) => before.includes(k))).toBe(true);
    expect(removed.filter((k) => !k.startsWith("originals/") && !k.startsWith("thumbs/")).sort()).toEqual([...theirs].sort());
    // The other account's vlog and episode are untouched, rows and files.
    expect(await db().vlog.count({ where: { id: theirVlog.id } })).toBe(1);
    expect(await db().episode.count({ where: { id: theirEpisode.id } })).toBe(1);
    for (const key of [theirVlog.keys.video, theirVlog.keys.poster, ...Object.values(theirEpisode.keys)]) expect(after, key).toContain(key);
  });

  it("carries on after an interrupted run, and a second run finds nothing to do", async () => {
    const cookie = await signUp("crashy@example.com");
    const photos = await Promise.all([51, 52, 53].map(async (seed) => ({ name: `p${seed}.jpg`, bytes: await makeJpeg({ width: 200, height: 200, seed }) })));
    await analysedPhotos(cookie, photos);
    const id = await userId("crashy@example.com");
    const deps = { db: db(), storage: storage() };

    // A run that dies after its first batch (the worker was killed, storage went away…).
    const seen: { done: number; total: number; stage: string }[] = [];
    const crash = new Error("worker killed");
    await expect(
      deleteAccount({ ...deps, progress: async (p) => { seen.push(p); if (p.stage === "photos") throw crash; } }, id),
    ).rejects.toBe(crash);
    expect(await db().user.findUnique({ where: { id } })).not.toBeNull();
    const total = seen[0].total;
    expect(total).toBe(4); // three photos and the account

    const resumed: number[] = [];
    expect(await deleteAccount({ ...deps, progress: async (p) => void resumed.push(p.done) }, id, total)).toEqual({ deleted: true, items: 4 });
    expect(resumed[0]).toBeGreaterThan(0); // it counted on from where the first run got
    expect(resumed.at(-1)).toBe(4);
    expect(await db().user.findUnique({ where: { id } })).toBeNull();
    expect(await deleteAccount(deps, id, total)).toEqual({ deleted: false, items: 0 });
  });
});
