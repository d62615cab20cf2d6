// Retry against real Postgres and Redis, in the moment right after a photo fails: its
// processor has written "failed" (the page shows it and offers Retry) while BullMQ has not
// yet moved the job to its failed set. A Retry pressed then must still run the photo again.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnrecoverableError, type Worker } from "bullmq";
import type { Redis } from "ioredis";
import { POST as retry } from "@/app/api/v1/media/[id]/retry/route";
import { db } from "@/lib/db";
import { getQueue } from "@/lib/jobs";
import { createRedis } from "@/lib/redis";
import { makeBatch, uploadBatch } from "@/test/batch";
import { call, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { sleep, waitFor } from "@/test/processes";
import { closeConnections, processorDeps, takeJob } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import { updateMediaState } from "./repository";

let iso: IsolatedEnv;
let lockRedis: Redis;
let runtime: WorkerRuntime | undefined;
let manual: Worker | undefined;
let cookie: string;

beforeAll(async () => {
  iso = await isolate();
  lockRedis = createRedis("lock");
  cookie = await signUp("retry@example.com");
});

afterAll(async () => {
  await manual?.close();
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
});

describe("Retry right after a photo fails", () => {
  it("runs the photo again even when its job had not yet been filed as failed", async () => {
    const [id] = await uploadBatch(cookie, await makeBatch(1, { width: 400, height: 300, seedBase: 700 }));
    const token = randomUUID();
    const taken = await takeJob("media-analysis", `analyze-${id}`, token);
    manual = taken.worker;
    const { job } = taken;
    // The processor's failure path: the photo says "failed" while its job is still active.
    await updateMediaState(db(), id, { status: "failed", stage: null, error: "The AI service refused this photo." });

    const pressed = call(retry, { path: `/api/v1/media/${id}/retry`, method: "POST", cookie, params: { id } });
    await sleep(200); // the request is in; now BullMQ files the job as failed
    expect(await job.getState()).toBe("active");
    await job.moveToFailed(new UnrecoverableError("The AI service refused this photo."), token);
    await manual!.close();
    manual = undefined;

    const res = await pressed;
    expect(res.status).toBe(202);
    expect((await res.json()).media.status).toBe("queued");
    expect(await (await getQueue("media-analysis").getJob(`analyze-${id}`))!.getState()).toBe("waiting");

    // And a worker then finishes it.
    runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), { concurrency: 1, log: () => {} });
    await waitFor("the retried photo to finish", async () => (await db().media.findUnique({ where: { id } }))?.status === "done", 60_000);
  });
});
