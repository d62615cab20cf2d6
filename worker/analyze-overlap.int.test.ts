// The caption provider is asked as soon as the photo is decoded, and its wait overlaps
// the image stages (thumbnail, EXIF, colours, fingerprint) instead of following them;
// the stages still reach the photo in their order, a kept answer is still reused without
// a call, and a provider failure still fails the photo at the describing stage.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as upload } from "@/app/api/v1/media/route";
import { createLocalProvider } from "@/lib/ai/local";
import type { AiProvider, DescribeInput, Description } from "@/lib/ai/types";
import { AiError } from "@/lib/ai/errors";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { eventsKey, type LiveEvent } from "@/lib/events";
import { keepAnswer, keptAnswer } from "@/lib/media/answer-cache";
import { stageProgress } from "@/lib/media/progress";
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

/** What the provider saw when each call arrived, and what it answers. */
interface CallRecord {
  /** When the call arrived and when it answered (this process's clock, as Redis's). */
  calledAt: number;
  answeredAt: number;
  /** The stages the photo was seen in while the answer was held (polled, so fast ones may be missed). */
  stagesWhilePending: string[];
}
let calls: CallRecord[] = [];
let answer: (input: DescribeInput) => Promise<Description>;

const stageOf = async (sha: string) => (await db().media.findFirst({ where: { sha256: sha }, select: { stage: true, status: true } }))?.stage ?? null;

/**
 * A provider that, when asked, notes the photo's stage in the database, then holds its
 * answer until the photo has reached the describing stage — noting each stage it passes
 * meanwhile. Called after the image stages (the old order), it would note "describing" at
 * once and nothing else.
 */
const recording: AiProvider = {
  name: "recording",
  async describe(input, signal) {
    const sha = current!;
    const record: CallRecord = { calledAt: Date.now(), answeredAt: 0, stagesWhilePending: [] };
    calls.push(record);
    for (;;) {
      const stage = await stageOf(sha);
      if (stage && record.stagesWhilePending.at(-1) !== stage) record.stagesWhilePending.push(stage);
      if (stage === "describing") break;
      await new Promise((r) => setTimeout(r, 2));
    }
    signal?.throwIfAborted();
    record.answeredAt = Date.now();
    return answer(input);
  },
};
let current: string | null = null;

async function uploadOne(seed: number) {
  const bytes = await makeJpeg({ width: 1600, height: 1200, seed, exif: true });
  const { createHash } = await import("node:crypto");
  current = createHash("sha256").update(bytes).digest("hex");
  const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm([{ name: `p${seed}.jpg`, bytes }]) });
  expect(res.status).toBe(202);
  return { id: ((await res.json()).media[0] as MediaView).id, sha: current };
}

async function finished(id: string) {
  for (let i = 0; i < 1_500; i++) {
    const row = await db().media.findUnique({ where: { id }, include: { analysis: true } });
    if (row && (row.status === "done" || row.status === "failed")) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`photo ${id} did not finish`);
}

beforeAll(async () => {
  iso = await isolate();
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis, { ai: recording })), { concurrency: 1, log: () => {} });
  cookie = await signUp("overlap@example.com");
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
});

beforeEach(() => {
  calls = [];
  const local = createLocalProvider();
  answer = (input) => local.describe(input);
});

describe("analysis with the provider call overlapping the image stages", () => {
  it("asks the provider right after the decode and reports every image stage while it works", async () => {
    const { id, sha } = await uploadOne(101);
    const row = await finished(id);
    expect(row.status).toBe("done");
    expect(calls).toHaveLength(1);
    // When each stage was announced, from the live events' own stream (entry ids are the
    // Redis clock in ms): polling the row would miss a stage that passes in a millisecond.
    const announced = new Map<string, number>();
    for (const [entryId, fields] of await lockRedis.xrange(eventsKey(env().QUEUE_PREFIX), "-", "+")) {
      const event = JSON.parse(fields[fields.indexOf("e") + 1]) as LiveEvent;
      const view = event.view as MediaView;
      if (event.kind === "media" && view.id === id && view.stage && !announced.has(view.stage)) announced.set(view.stage, Number(entryId.split("-")[0]));
    }
    const order = ["decoding", "thumbnail", "exif", "colours", "fingerprint", "describing"];
    expect([...announced.keys()].filter((stage) => order.includes(stage))).toEqual(order);
    const { calledAt, answeredAt } = calls[0];
    // Asked once the photo was decoded, before its later image stages…
    expect(announced.get("decoding")!).toBeLessThanOrEqual(calledAt);
    // …which all went by while the answer was pending; it answered only at "describing".
    for (const stage of ["exif", "colours", "fingerprint", "describing"]) {
      expect(announced.get(stage)!, `${stage} announced after the call began`).toBeGreaterThanOrEqual(calledAt);
      expect(announced.get(stage)!, `${stage} announced before the answer`).toBeLessThanOrEqual(answeredAt);
    }
    expect(calls[0].stagesWhilePending.at(-1)).toBe("describing");
    expect(row.analysis?.provider).toBe("local");
    // The kept answer is gone once the result is saved.
    expect(await keptAnswer(lockRedis, env().QUEUE_PREFIX, sha)).toBeNull();
  });

  it("reuses a kept answer without calling the provider", async () => {
    const bytes = await makeJpeg({ width: 1600, height: 1200, seed: 102, exif: true });
    const { createHash } = await import("node:crypto");
    const sha = createHash("sha256").update(bytes).digest("hex");
    await keepAnswer(lockRedis, env().QUEUE_PREFIX, sha, { caption: "Kept from an earlier run.", tags: ["kept"], provider: "gemini:earlier" });
    const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm([{ name: "kept.jpg", bytes }]) });
    const row = await finished(((await res.json()).media[0] as MediaView).id);
    expect(row.status).toBe("done");
    expect(calls).toHaveLength(0);
    expect(row.analysis).toMatchObject({ caption: "Kept from an earlier run.", provider: "gemini:earlier" });
  });

  it("a provider that fails at once still fails the photo at the describing stage, classified as before", async () => {
    answer = async () => {
      throw new AiError("permanent", "The provider refused this photo");
    };
    const { id } = await uploadOne(103);
    const row = await finished(id);
    expect(row.status).toBe("failed");
    expect(calls).toHaveLength(1);
    // The failure surfaced after the describing stage was reported (the bar stops there),
    // not while the image stages ran; a permanent error is not retried.
    expect(calls[0].stagesWhilePending.at(-1)).toBe("describing");
    expect(row.progress).toBe(stageProgress("describing"));
    expect(row.error).toBeTruthy();
  });
});
