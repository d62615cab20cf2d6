// Bounded Redis memory, checked against real Redis with the catalogue's own options:
// finished jobs are trimmed by count (and age), and both event streams are capped.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { env } from "@/lib/env";
import { EVENTS_MAXLEN, eventsKey, publishEvent, type LiveEvent } from "@/lib/events";
import { bullConnection, createRedis } from "@/lib/redis";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { waitFor } from "@/test/processes";
import { closeQueues, getQueue, jobCatalogue, RETENTION } from "./index";

let iso: IsolatedEnv;
let redis: Redis;

beforeAll(async () => {
  iso = await isolate();
  redis = createRedis("lock");
});

afterAll(async () => {
  await closeQueues();
  await redis?.quit();
  await iso?.teardown();
});

/** Runs `count` analyze-media jobs with the catalogue's options through a trivial processor. */
async function runJobs(count: number, outcome: "complete" | "fail") {
  const queue = getQueue("media-analysis");
  const def = jobCatalogue["analyze-media"];
  for (let i = 0; i < count; i += 1_000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1_000, count - i) }, () => {
        const data = { mediaId: randomUUID() };
        return { name: "analyze-media", data, opts: { ...def.options, jobId: def.jobId(data) } };
      }),
    );
  }
  let finished = 0;
  const worker = new Worker(
    "media-analysis",
    async () => {
      if (outcome === "fail") throw new UnrecoverableError("no");
    },
    { connection: bullConnection("worker"), prefix: env().QUEUE_PREFIX, concurrency: 100 },
  );
  worker.on(outcome === "complete" ? "completed" : "failed", () => (finished += 1));
  await waitFor(`${count} jobs to ${outcome}`, async () => finished >= count, 120_000, 200);
  await worker.close();
}

describe("bounded Redis memory", () => {
  it("keeps at most the configured number of completed and failed jobs", { timeout: 180_000 }, async () => {
    const extra = 200;
    await runJobs(RETENTION.completed.count + extra, "complete");
    await runJobs(RETENTION.failed.count + extra, "fail");
    const counts = await getQueue("media-analysis").getJobCounts("completed", "failed");
    expect(counts.completed).toBeLessThanOrEqual(RETENTION.completed.count);
    expect(counts.failed).toBeLessThanOrEqual(RETENTION.failed.count);
    // And the trimmed ones are really gone, not just unlisted: job hashes are bounded too.
    const hashes = await redis.keys(`${iso.prefix}:media-analysis:analyze-*`);
    expect(hashes.length).toBeLessThanOrEqual(RETENTION.completed.count + RETENTION.failed.count);
    console.log(
      `[retention] ran ${RETENTION.completed.count + extra} completed + ${RETENTION.failed.count + extra} failed jobs; ` +
        `kept ${counts.completed} completed, ${counts.failed} failed, ${hashes.length} job hashes; ` +
        `BullMQ event stream length ${await redis.xlen(`${iso.prefix}:media-analysis:events`)}`,
    );
    expect(await redis.xlen(`${iso.prefix}:media-analysis:events`)).toBeLessThanOrEqual(10_000 + 100);
  });

  it("caps the progress event stream", async () => {
    const key = eventsKey(env().QUEUE_PREFIX);
    const id = randomUUID();
    const event: LiveEvent<"media"> = {
      kind: "media",
      ownerId: randomUUID(),
      id,
      view: {
        id, name: "x.jpg", mime: "image/jpeg", size: 1, status: "analysing", stage: "thumbnail",
        stageLabel: "Making a thumbnail", progress: 0.2, error: null, version: 1, createdAt: new Date().toISOString(),
        completedAt: null, thumbnailUrl: null,
      },
    };
    const total = EVENTS_MAXLEN + 3_000;
    for (let i = 0; i < total; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, total - i) }, () => publishEvent(redis, env().QUEUE_PREFIX, event)));
    }
    const length = await redis.xlen(key);
    console.log(`[retention] published ${total} progress events; stream holds ${length} (cap ${EVENTS_MAXLEN}, approximate trimming)`);
    // "MAXLEN ~" trims whole stream nodes (100 entries each by default), so it may sit a little above the cap.
    expect(length).toBeLessThanOrEqual(EVENTS_MAXLEN + 100);
    expect(length).toBeGreaterThanOrEqual(EVENTS_MAXLEN);
  });
});
