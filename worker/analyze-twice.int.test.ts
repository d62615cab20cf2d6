// Two runs of one photo's job at once: a worker starved of CPU loses its job's lock and
// BullMQ hands the job to another worker while the first is still working (seen in
// app/scale-out.fault.test.ts under load). "Done" is final: the first run to finish wins,
// the other stops at its next write, and watchers see the photo done exactly once, never
// taken back to "analysing".
import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as upload } from "@/app/api/v1/media/route";
import { createLocalProvider } from "@/lib/ai/local";
import type { AiProvider } from "@/lib/ai/types";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { eventsKey, type LiveEvent } from "@/lib/events";
import type { JobPayload } from "@/lib/jobs/catalogue";
import { updateMediaState } from "@/lib/media/repository";
import type { MediaView } from "@/lib/media/view";
import { createRedis } from "@/lib/redis";
import { call, photoForm, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { makeJpeg } from "@/test/test-images";
import { closeConnections, processorDeps } from "@/test/worker";
import { analyzeMedia } from "./processors/analyze-media";

let iso: IsolatedEnv;
let lockRedis: Redis;
let cookie: string;

beforeAll(async () => {
  iso = await isolate();
  lockRedis = createRedis("lock");
  cookie = await signUp("twice@example.com");
});

afterAll(async () => {
  await closeConnections(lockRedis);
  await iso?.teardown();
});

async function uploadOne(seed: number): Promise<string> {
  const bytes = await makeJpeg({ width: 1200, height: 900, seed, exif: true });
  const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm([{ name: `p${seed}.jpg`, bytes }]) });
  expect(res.status).toBe(202);
  return ((await res.json()).media[0] as MediaView).id;
}

/** This photo's announcements on the live events' stream, in order. */
async function announced(id: string): Promise<MediaView[]> {
  const views: MediaView[] = [];
  for (const [, fields] of await lockRedis.xrange(eventsKey(env().QUEUE_PREFIX), "-", "+")) {
    const event = JSON.parse(fields[fields.indexOf("e") + 1]) as LiveEvent;
    if (event.kind === "media" && (event.view as MediaView).id === id) views.push(event.view as MediaView);
  }
  return views;
}

const isDone = async (id: string) => (await db().media.findUnique({ where: { id }, select: { status: true } }))?.status === "done";

describe("two runs of one photo's job at once", () => {
  it("the first to finish marks it done; the other stops without a write, and it is announced done once", async () => {
    const id = await uploadOne(201);
    // Both runs are the same BullMQ job (same id, so the same analysis lock owner), as when
    // the job is handed out again. The first caption call answers once the second has been
    // asked; the second answers only after the photo is done, so the runs overlap for sure.
    const local = createLocalProvider();
    let asked = 0;
    let secondAsked!: () => void;
    const bothAsked = new Promise<void>((resolve) => (secondAsked = resolve));
    const ai: AiProvider = {
      name: "local",
      async describe(input, signal) {
        const mine = ++asked;
        if (mine === 2) {
          secondAsked();
          while (!(await isDone(id))) await new Promise((r) => setTimeout(r, 10));
        } else {
          await bothAsked;
        }
        return local.describe(input, signal);
      },
    };
    const deps = processorDeps(lockRedis, { ai });
    const job = { id: `analyze-${id}`, data: { mediaId: id } } as unknown as Job<JobPayload<"analyze-media">>;
    const outcomes = await Promise.all([analyzeMedia(job, deps), analyzeMedia(job, deps)]);

    expect(asked).toBe(2);
    expect(outcomes.filter((o) => "analyzed" in o)).toHaveLength(1);
    expect(outcomes.filter((o) => "skipped" in o)).toHaveLength(1);
    const row = await db().media.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("done");
    const views = await announced(id);
    const firstDone = views.findIndex((v) => v.status === "done");
    expect(firstDone).toBeGreaterThan(0);
    // Nothing after "done": not a stage of the slower run, not a second "done".
    expect(views.slice(firstDone + 1)).toEqual([]);
    expect(views[firstDone].version).toBe(row.version);
  });

  it("a state change never reaches a photo that is done", async () => {
    const id = await uploadOne(202);
    const done = await updateMediaState(db(), id, { status: "done", stage: null, progress: 1, error: null });
    expect(done?.status).toBe("done");
    for (const status of ["analysing", "queued", "failed", "done"] as const) {
      expect(await updateMediaState(db(), id, { status, stage: null, error: null }), status).toBeNull();
    }
    const row = await db().media.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "done", version: done!.version, progress: 1 });
    // A photo that is gone is not an error either: nothing to write.
    expect(await updateMediaState(db(), "00000000-0000-4000-8000-000000000000", { status: "analysing" })).toBeNull();
  });
});
