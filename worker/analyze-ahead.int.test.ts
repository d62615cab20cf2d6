// With a remote caption provider the worker works ahead (worker/ahead.ts): while one photo
// waits on its caption, the next is decoded, and its call goes out the moment the first
// answers — still no more calls in flight than the queue's concurrency. Meanwhile that photo
// says it is "In line for a caption", not that its caption is being written. The autoscaler
// and the overview keep seeing the queue's concurrency; BullMQ holds twice as many jobs.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as upload } from "@/app/api/v1/media/route";
import { createLocalProvider } from "@/lib/ai/local";
import type { AiProvider } from "@/lib/ai/types";
import { db } from "@/lib/db";
import type { MediaView } from "@/lib/media/view";
import { createRedis } from "@/lib/redis";
import { call, photoForm, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { makeJpeg } from "@/test/test-images";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "./processors";
import { startWorkers, type WorkerRuntime } from "./runtime";

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let cookie: string;

interface CallRecord {
  calledAt: number;
  answeredAt: number;
  /** Whether another photo had been decoded up to its own caption, and stood in line, while this call was held. */
  nextWasReady: boolean;
}
const calls: CallRecord[] = [];
let inFlight = 0;
let maxInFlight = 0;
let photoIds: Promise<string[]>;
let setPhotoIds: (ids: string[]) => void;

/**
 * A remote provider that holds each answer until another photo stands in line for a caption
 * (decoded meanwhile, its call waiting for this one's slot), or until no other photo is left.
 * Without working ahead, the next photo would not be decoded while this call is held: the
 * answer would come only after the 10 s bound, with `nextWasReady` false.
 */
const local = createLocalProvider();
const remote: AiProvider = {
  name: "remote-stand-in",
  remote: true,
  async describe(input) {
    const record: CallRecord = { calledAt: Date.now(), answeredAt: 0, nextWasReady: false };
    calls.push(record);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    const ids = await photoIds;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const rows = await db().media.findMany({ where: { id: { in: ids } }, select: { status: true, stage: true } });
      const inLine = rows.filter((r) => r.status === "analysing" && r.stage === "awaiting-caption").length;
      // Photos that got as far as their caption; more of them than calls made means one is
      // ahead (this call's own photo may still read "in line" until its next report lands).
      const reached = rows.filter((r) => r.status === "done" || ["awaiting-caption", "describing", "saving"].includes(r.stage ?? "")).length;
      const unfinished = rows.filter((r) => r.status !== "done" && r.status !== "failed").length;
      if (inLine >= 1 && reached > calls.length) {
        record.nextWasReady = true;
        break;
      }
      if (unfinished <= 1) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    inFlight--;
    record.answeredAt = Date.now();
    return local.describe(input);
  },
};

async function finished(ids: string[]) {
  for (let i = 0; i < 3_000; i++) {
    const rows = await db().media.findMany({ where: { id: { in: ids } } });
    if (rows.every((row) => row.status === "done" || row.status === "failed")) return rows;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the photos did not finish");
}

beforeAll(async () => {
  iso = await isolate();
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis, { ai: remote })), { concurrency: 1, log: () => {} });
  cookie = await signUp("ahead@example.com");
  photoIds = new Promise((resolve) => (setPhotoIds = resolve));
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
});

describe("photos with a remote caption provider, concurrency 1", () => {
  it("decodes the next photo while one waits on its caption, and sends one call at a time", async () => {
    const files = await Promise.all([201, 202, 203].map(async (seed) => ({ name: `a${seed}.jpg`, bytes: await makeJpeg({ width: 1600, height: 1200, seed, exif: true }) })));
    const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm(files) });
    expect(res.status).toBe(202);
    const ids = ((await res.json()).media as MediaView[]).map((m) => m.id);
    setPhotoIds(ids);

    const rows = await finished(ids);
    expect(rows.map((r) => r.status)).toEqual(["done", "done", "done"]);
    expect(calls).toHaveLength(3);
    // The first two calls were held while the next photo got ready; the last had none left.
    expect(calls.map((c) => c.nextWasReady)).toEqual([true, true, false]);
    // One call at a time: each went out after the one before it had answered.
    expect(maxInFlight).toBe(1);
    for (let i = 1; i < calls.length; i++) expect(calls[i].calledAt).toBeGreaterThanOrEqual(calls[i - 1].answeredAt);
  });

  it("shows the queue's concurrency, while BullMQ holds room for the photos ahead", () => {
    expect(runtime.concurrency("media-analysis")).toBe(1);
    expect(runtime.workers.find((w) => w.name === "media-analysis")!.concurrency).toBe(2);
    expect(runtime.concurrency("maintenance")).toBe(runtime.workers.find((w) => w.name === "maintenance")!.concurrency);
  });
});
