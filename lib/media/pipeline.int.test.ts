// The photo pipeline end to end against real Postgres, Redis, storage and the real
// worker runtime: upload over the HTTP handlers, follow SSE, check what was stored.
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { Redis } from "ioredis";
import { GET as getMedia } from "@/app/api/v1/media/[id]/route";
import { GET as getOriginal } from "@/app/api/v1/media/[id]/original/route";
import { POST as retry } from "@/app/api/v1/media/[id]/retry/route";
import { GET as getThumbnail } from "@/app/api/v1/media/[id]/thumbnail/route";
import { GET as listMedia, POST as upload } from "@/app/api/v1/media/route";
import { GET as stream } from "@/app/api/v1/media/stream/route";
import { createLocalProvider } from "@/lib/ai/local";
import type { AiProvider } from "@/lib/ai/types";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { createRedis } from "@/lib/redis";
import { storage } from "@/lib/storage/instance";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { call, photoForm, readSse, signUp, type SseMessage } from "@/test/http";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import { corruptJpeg, makeJpeg, makePng } from "@/test/test-images";
import type { MediaView } from "./view";
import { closeConnections, processorDeps } from "@/test/worker";

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let alice: string;
let bob: string;
let describeCalls = 0;

beforeAll(async () => {
  iso = await isolate();
  const local = createLocalProvider();
  const counting: AiProvider = {
    name: local.name,
    describe: (input, signal) => {
      describeCalls += 1;
      return local.describe(input, signal);
    },
  };
  lockRedis = createRedis("lock");
  runtime = startWorkers(
    buildProcessors(processorDeps(lockRedis, { ai: counting })),
    { concurrency: 3, log: () => {} },
  );
  alice = await signUp("alice@example.com");
  bob = await signUp("bob@example.com");
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
});

async function uploadFiles(cookie: string, files: { name: string; bytes: Buffer; type?: string }[]) {
  const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm(files) });
  return { status: res.status, body: await res.json() };
}

async function followToEnd(cookie: string, ids: string[]) {
  const res = await call(stream, { path: `/api/v1/media/stream?ids=${ids.join(",")}`, cookie });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  return readSse(res);
}

const lastState = (messages: SseMessage[], id: string) =>
  messages.filter((m) => m.event === "media" && (m.data as MediaView).id === id).at(-1)?.data as MediaView;

describe("photo pipeline", () => {
  it("accepts a batch at once, streams each photo's progress, and stores the results; a corrupt file fails alone", async () => {
    const files = [
      { name: "one.jpg", bytes: await makeJpeg({ width: 1200, height: 800, seed: 11, exif: true }) },
      { name: "two.png", bytes: await makePng({ width: 640, height: 960, seed: 12 }), type: "image/png" },
      { name: "three.jpg", bytes: await makeJpeg({ width: 800, height: 800, seed: 13 }) },
      { name: "broken.jpg", bytes: await corruptJpeg("truncated") },
    ];
    // Hold the workers until the stream is open, so every stage event reaches it: a warm
    // worker can otherwise finish a small photo before the stream has subscribed.
    await Promise.all(runtime.workers.map((w) => w.pause(true)));
    onTestFinished(() => runtime.workers.forEach((w) => w.resume()));
    const { status, body } = await uploadFiles(alice, files);
    expect(status).toBe(202);
    expect(body.media.map((m: MediaView) => m.name)).toEqual(["one.jpg", "two.png", "three.jpg", "broken.jpg"]);
    expect(body.media.every((m: MediaView) => m.status === "queued")).toBe(true);
    const ids: string[] = body.media.map((m: MediaView) => m.id);

    const live = await call(stream, { path: `/api/v1/media/stream?ids=${ids.join(",")}`, cookie: alice });
    expect(live.status).toBe(200);
    runtime.workers.forEach((w) => w.resume());
    const messages = await readSse(live);
    expect(messages.at(-1)?.event).toBe("end");
    const [one, two, three, broken] = ids.map((id) => lastState(messages, id));
    expect([one.status, two.status, three.status]).toEqual(["done", "done", "done"]);
    expect(broken.status).toBe("failed");
    expect(broken.error).toMatch(/damaged or incomplete/);

    // Stage names were shown on the way, and progress never went backwards. (Which stages
    // this stream sees depends on how far the worker got before it opened, so any will do.)
    const oneEvents = messages.filter((m) => (m.data as MediaView).id === ids[0]).map((m) => m.data as MediaView);
    expect(oneEvents.some((e) => e.status === "analysing" && Boolean(e.stageLabel))).toBe(true);
    const progress = oneEvents.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const detail = await (await call(getMedia, { path: `/api/v1/media/${ids[0]}`, cookie: alice, params: { id: ids[0] } })).json();
    expect(detail.analysis).toMatchObject({ width: 1200, height: 800, format: "jpeg", provider: "local" });
    expect(detail.analysis.caption.length).toBeGreaterThan(10);
    expect(detail.analysis.tags.length).toBeGreaterThan(0);
    expect(detail.analysis.exif?.cameraModel).toBeTruthy();
    expect(detail.analysis.colours[0]).toMatch(/^#[0-9a-f]{6}$/);

    const thumb = await call(getThumbnail, { path: `/api/v1/media/${ids[0]}/thumbnail`, cookie: alice, params: { id: ids[0] } });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    const thumbBytes = Buffer.from(await thumb.arrayBuffer());
    expect(thumbBytes.subarray(8, 12).toString()).toBe("WEBP");

    const original = await call(getOriginal, { path: `/api/v1/media/${ids[0]}/original`, cookie: alice, params: { id: ids[0] } });
    expect(original.headers.get("content-disposition")).toMatch(/^attachment; filename="one.jpg"/);
    expect(original.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await original.arrayBuffer()).equals(files[0].bytes)).toBe(true);

    // Nothing half-made: every row has its stored original, every finished one its analysis.
    const rows = await db().media.findMany({ where: { id: { in: ids } }, include: { analysis: true } });
    for (const row of rows) expect(await storage().stat(row.storageKey)).not.toBeNull();
    expect(rows.filter((r) => r.analysis).length).toBe(3);
  });

  it("rejects a file that is not a photo with a 415 and a readable message, keeping nothing", async () => {
    const before = await db().media.count();
    const { status, body } = await uploadFiles(alice, [{ name: "notes.jpg", bytes: Buffer.from("just some text, not a photo\n".repeat(10)) }]);
    expect(status).toBe(415);
    expect(body.error.message).toMatch(/notes\.jpg is not a photo we can read/);
    expect(await db().media.count()).toBe(before);
  });

  it("keeps the good files of a batch when one is rejected at upload", async () => {
    const { status, body } = await uploadFiles(alice, [
      { name: "ok.jpg", bytes: await makeJpeg({ width: 300, height: 200, seed: 21 }) },
      { name: "page.pdf", bytes: Buffer.from("%PDF-1.7\n" + "x".repeat(200)), type: "application/pdf" },
    ]);
    expect(status).toBe(202);
    expect(body.media).toHaveLength(1);
    expect(body.rejected).toEqual([expect.objectContaining({ name: "page.pdf", status: 415, error: expect.stringContaining("a PDF") })]);
    expect(lastState(await followToEnd(alice, [body.media[0].id]), body.media[0].id).status).toBe("done");
  });

  it("takes photos after the temp folder was removed, and leaves no temp file behind", async () => {
    // The reader makes the folder only when a file's open finds it missing, not per request.
    const tmp = path.join(iso.dataDir, "tmp");
    await rm(tmp, { recursive: true, force: true });
    const bytes = await makeJpeg({ width: 300, height: 200, seed: 23 });
    const { status, body } = await uploadFiles(alice, [
      { name: "after-cleanup.jpg", bytes },
      { name: "page.pdf", bytes: Buffer.from("%PDF-1.7\n" + "x".repeat(200)), type: "application/pdf" },
    ]);
    expect(status).toBe(202);
    expect(body.media).toHaveLength(1);
    expect(body.rejected).toHaveLength(1);
    expect((await readdir(tmp, { withFileTypes: true })).filter((e) => e.isFile())).toEqual([]);
    const original = await call(getOriginal, { path: `/api/v1/media/${body.media[0].id}/original`, cookie: alice, params: { id: body.media[0].id } });
    expect(original.status).toBe(200);
    expect(Buffer.from(await original.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("analyses the same bytes once, even when uploaded twice at the same moment", async () => {
    const bytes = await makeJpeg({ width: 900, height: 600, seed: 31 });
    const callsBefore = describeCalls;
    const [a, b] = await Promise.all([
      uploadFiles(alice, [{ name: "first.jpg", bytes }]),
      uploadFiles(bob, [{ name: "second.jpg", bytes }]),
    ]);
    const [ma, mb] = [a.body.media[0] as MediaView, b.body.media[0] as MediaView];
    const [sa, sb] = await Promise.all([followToEnd(alice, [ma.id]), followToEnd(bob, [mb.id])]);
    expect(lastState(sa, ma.id).status).toBe("done");
    expect(lastState(sb, mb.id).status).toBe("done");
    expect(describeCalls - callsBefore).toBe(1);
    const sha = (await db().media.findUniqueOrThrow({ where: { id: ma.id } })).sha256;
    expect(await db().analysis.count({ where: { sha256: sha } })).toBe(1);
  });

  it("lets a failed photo be retried, and it fails again with the same message", async () => {
    const { body } = await uploadFiles(alice, [{ name: "again.jpg", bytes: await corruptJpeg("truncated") }]);
    const id = body.media[0].id as string;
    expect(lastState(await followToEnd(alice, [id]), id).status).toBe("failed");
    const res = await call(retry, { path: `/api/v1/media/${id}/retry`, method: "POST", cookie: alice, params: { id } });
    expect(res.status).toBe(202);
    expect((await res.json()).media.status).toBe("queued");
    const final = lastState(await followToEnd(alice, [id]), id);
    expect(final.status).toBe("failed");
    expect(final.error).toMatch(/damaged or incomplete/);
  });

  it("shows nobody else's photos: every route answers 404 for a foreign id, as for a missing one", async () => {
    const { body } = await uploadFiles(alice, [{ name: "private.jpg", bytes: await makeJpeg({ width: 200, height: 200, seed: 41 }) }]);
    const id = body.media[0].id as string;
    await followToEnd(alice, [id]);
    const missing = "00000000-0000-4000-8000-000000000000";
    for (const target of [id, missing]) {
      const params = { id: target };
      const responses = await Promise.all([
        call(getMedia, { path: `/api/v1/media/${target}`, cookie: bob, params }),
        call(getThumbnail, { path: `/api/v1/media/${target}/thumbnail`, cookie: bob, params }),
        call(getOriginal, { path: `/api/v1/media/${target}/original`, cookie: bob, params }),
        call(retry, { path: `/api/v1/media/${target}/retry`, method: "POST", cookie: bob, params }),
        call(stream, { path: `/api/v1/media/stream?ids=${target}`, cookie: bob }),
        call(listMedia, { path: `/api/v1/media?ids=${target}`, cookie: bob }),
      ]);
      expect(responses.slice(0, 5).map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
      expect((await responses[5].json()).media).toEqual([]);
    }
    const list = await (await call(listMedia, { path: "/api/v1/media", cookie: bob })).json();
    expect(list.media.map((m: MediaView) => m.name)).not.toContain("private.jpg");
    const anonymous = await call(getMedia, { path: `/api/v1/media/${id}`, params: { id } });
    expect(anonymous.status).toBe(401);
  });
});

describe("a photo whose analysis lock was left behind", () => {
  it("is finished by its own job at once when the lock is its own (a worker died holding it)", async () => {
    const bytes = await makeJpeg({ width: 500, height: 400, seed: 61 });
    const sha = (await import("node:crypto")).createHash("sha256").update(bytes).digest("hex");
    const lockKey = `${env().QUEUE_PREFIX}:lock:analysis:${sha}`;
    // Pause the queue so the lock can be planted, as a crashed attempt would have left it.
    const { getQueue } = await import("@/lib/jobs");
    await getQueue("media-analysis").pause();
    try {
      const { body } = await uploadFiles(alice, [{ name: "orphan-lock.jpg", bytes }]);
      const id = body.media[0].id as string;
      await lockRedis.set(lockKey, `analyze-${id}`, "PX", 120_000);
      await getQueue("media-analysis").resume();
      const final = lastState(await followToEnd(alice, [id]), id);
      expect(final.status).toBe("done");
      expect(await lockRedis.exists(lockKey)).toBe(0);
    } finally {
      await getQueue("media-analysis").resume();
    }
  });
});
