// Deleting photos and vlogs over the HTTP handlers, against real Postgres, Redis, storage and
// the worker runtime: what goes (row, original, thumbnail, cache entry no one else uses, a
// vlog's files and share link), what stays (another photo's cache entry, a vlog's rendered
// video), and that someone else's photo cannot be deleted.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as bulkDelete } from "@/app/api/v1/media/delete/route";
import { DELETE as deleteMedia, GET as getMedia } from "@/app/api/v1/media/[id]/route";
import { GET as getThumbnail } from "@/app/api/v1/media/[id]/thumbnail/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { GET as mediaStream } from "@/app/api/v1/media/stream/route";
import { GET as sharedVideo } from "@/app/api/shared/[token]/video/route";
import { DELETE as deleteVlog, GET as getVlog } from "@/app/api/v1/vlogs/[id]/route";
import { PATCH as patchStoryboard } from "@/app/api/v1/vlogs/[id]/storyboard/route";
import { GET as getVideo } from "@/app/api/v1/vlogs/[id]/video/route";
import { db } from "@/lib/db";
import { createRedis } from "@/lib/redis";
import { storage } from "@/lib/storage/instance";
import type { VlogDetail } from "@/lib/vlogs/view";
import { call, photoForm, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { makeJpeg } from "@/test/test-images";
import { renderedVlog } from "@/test/vlogs";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import type { MediaView } from "./view";

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let alice: string;
let bob: string;

beforeAll(async () => {
  iso = await isolate({ APP_URL: "http://delete.test" });
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), { concurrency: 2, log: () => {} });
  alice = await signUp("alice@example.com");
  bob = await signUp("bob@example.com");
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
});

/** Uploads photos and waits until each is analysed; their ids in order. */
async function analysed(cookie: string, files: { name: string; bytes: Buffer }[]): Promise<string[]> {
  const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm(files) });
  expect(res.status).toBe(202);
  const ids = ((await res.json()).media as MediaView[]).map((m) => m.id);
  await readSse(await call(mediaStream, { path: `/api/v1/media/stream?ids=${ids.join(",")}`, cookie }));
  for (const id of ids) expect((await db().media.findUniqueOrThrow({ where: { id } })).status).toBe("done");
  return ids;
}

const exists = async (key: string) => (await storage().stat(key)) !== null;

describe("deleting photos", () => {
  it("deletes one photo: its row and original go, the cached analysis stays while a twin uses it, a vlog keeps its video and marks the shot", async () => {
    const same = await makeJpeg({ width: 400, height: 300, seed: 5 });
    const [a, twin, other] = await analysed(alice, [
      { name: "a.jpg", bytes: same },
      { name: "twin.jpg", bytes: same },
      { name: "other.jpg", bytes: await makeJpeg({ width: 400, height: 300, seed: 6 }) },
    ]);
    const rowA = await db().media.findUniqueOrThrow({ where: { id: a }, include: { analysis: true } });
    const vlog = await renderedVlog("alice@example.com", [a, other]);

    // Someone else cannot delete it, and learns nothing (the same 404 as a missing photo).
    const foreign = await call(deleteMedia, { path: `/api/v1/media/${a}`, method: "DELETE", cookie: bob, params: { id: a } });
    expect(foreign.status).toBe(404);

    const res = await call(deleteMedia, { path: `/api/v1/media/${a}`, method: "DELETE", cookie: alice, params: { id: a } });
    expect(res.status).toBe(204);
    expect((await call(getMedia, { path: `/api/v1/media/${a}`, cookie: alice, params: { id: a } })).status).toBe(404);
    expect(await exists(rowA.storageKey)).toBe(false);
    // The twin has the same bytes: the analysis and its thumbnail are still there for it.
    expect(await db().analysis.findUnique({ where: { sha256: rowA.sha256 } })).not.toBeNull();
    expect(await exists(rowA.analysis!.thumbnailKey)).toBe(true);
    expect((await call(getThumbnail, { path: `/api/v1/media/${twin}/thumbnail`, cookie: alice, params: { id: twin } })).status).toBe(200);

    // The vlog still plays; its storyboard shows the shot as removed, without a thumbnail.
    const detail = (await (await call(getVlog, { path: `/api/v1/vlogs/${vlog.id}`, cookie: alice, params: { id: vlog.id } })).json()) as VlogDetail;
    expect(detail.storyboard!.shots.map((s) => [s.mediaId, s.removed, s.thumbnailUrl === null])).toEqual([[a, true, true], [other, false, false]]);
    expect(detail.thumbnailUrl).toBe(`/api/v1/media/${other}/thumbnail`);
    expect(detail.storyboard!.available).toEqual([]);
    const video = await call(getVideo, { path: `/api/v1/vlogs/${vlog.id}/video`, cookie: alice, params: { id: vlog.id } });
    expect(video.status).toBe(200);
    expect(await video.text()).toContain("not really an mp4");

    // The deleted photo cannot come back into the storyboard; saving without it works.
    const back = await call(patchStoryboard, {
      path: `/api/v1/vlogs/${vlog.id}/storyboard`, method: "PATCH", cookie: alice, params: { id: vlog.id },
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ shots: [{ mediaId: a, caption: "back?" }, { mediaId: other, caption: "Shot 2" }] }),
    });
    expect(back.status).toBe(422);
    expect((await back.json()).error.fields["shots.0.mediaId"]).toMatch(/deleted/);

    // Deleting it again: already gone.
    expect((await call(deleteMedia, { path: `/api/v1/media/${a}`, method: "DELETE", cookie: alice, params: { id: a } })).status).toBe(404);
  });

  it("deletes many at once, reports ids that were not the caller's, and drops the cache entry with the last photo of those bytes", async () => {
    const bytes = await makeJpeg({ width: 320, height: 240, seed: 9 });
    const [one, two] = await analysed(alice, [{ name: "one.jpg", bytes }, { name: "two.jpg", bytes }]);
    const [bobs] = await analysed(bob, [{ name: "bob.jpg", bytes: await makeJpeg({ width: 320, height: 240, seed: 10 }) }]);
    const row = await db().media.findUniqueOrThrow({ where: { id: one }, include: { analysis: true } });
    const nobody = randomUUID();

    const res = await call(bulkDelete, {
      path: "/api/v1/media/delete", method: "POST", cookie: alice,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ids: [one, two, bobs, nobody] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: [one, two], notFound: [bobs, nobody] });
    expect(await db().media.count({ where: { id: { in: [one, two] } } })).toBe(0);
    expect(await db().analysis.findUnique({ where: { sha256: row.sha256 } })).toBeNull();
    expect(await exists(row.analysis!.thumbnailKey)).toBe(false);
    expect(await exists(row.storageKey)).toBe(false);
    // Bob's photo is untouched.
    expect((await call(getMedia, { path: `/api/v1/media/${bobs}`, cookie: bob, params: { id: bobs } })).status).toBe(200);
  });

  it("refuses a bulk delete it cannot read, with the reason", async () => {
    const bad = async (body: string) =>
      call(bulkDelete, { path: "/api/v1/media/delete", method: "POST", cookie: alice, headers: { "content-type": "application/json" }, body });
    expect((await bad("{")).status).toBe(400);
    const empty = await bad(JSON.stringify({ ids: [] }));
    expect(empty.status).toBe(422);
    expect((await empty.json()).error.fields.ids).toMatch(/at least one/);
    expect((await bad(JSON.stringify({ ids: ["../../etc/passwd"] }))).status).toBe(422);
    expect((await bad(JSON.stringify({ ids: Array.from({ length: 201 }, () => randomUUID()) }))).status).toBe(422);
  });
});

describe("deleting a vlog", () => {
  it("removes the vlog, its run history, its files and its share link", async () => {
    const [photo] = await analysed(alice, [{ name: "v.jpg", bytes: await makeJpeg({ width: 320, height: 240, seed: 21 }) }]);
    const vlog = await renderedVlog("alice@example.com", [photo]);
    expect((await call(sharedVideo, { path: `/api/shared/${vlog.shareToken}/video`, params: { token: vlog.shareToken } })).status).toBe(200);

    expect((await call(deleteVlog, { path: `/api/v1/vlogs/${vlog.id}`, method: "DELETE", cookie: bob, params: { id: vlog.id } })).status).toBe(404);
    const res = await call(deleteVlog, { path: `/api/v1/vlogs/${vlog.id}`, method: "DELETE", cookie: alice, params: { id: vlog.id } });
    expect(res.status).toBe(204);

    expect((await call(getVlog, { path: `/api/v1/vlogs/${vlog.id}`, cookie: alice, params: { id: vlog.id } })).status).toBe(404);
    expect((await call(sharedVideo, { path: `/api/shared/${vlog.shareToken}/video`, params: { token: vlog.shareToken } })).status).toBe(404);
    expect(await db().workflowRun.findUnique({ where: { id: vlog.runId } })).toBeNull();
    expect(await db().workflowStep.count({ where: { runId: vlog.runId } })).toBe(0);
    for (const key of [vlog.keys.video, vlog.keys.poster, vlog.keys.clip(photo)]) expect(await exists(key)).toBe(false);
    // The photos it was made of are the library's, not the vlog's: they stay.
    expect((await call(getMedia, { path: `/api/v1/media/${photo}`, cookie: alice, params: { id: photo } })).status).toBe(200);
    expect((await call(deleteVlog, { path: `/api/v1/vlogs/${vlog.id}`, method: "DELETE", cookie: alice, params: { id: vlog.id } })).status).toBe(404);
  });
});
