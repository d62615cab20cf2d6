// "Retry 3 times" (the seeds, JOB_QUEUE_MAX_RETRIES=3) is three retries after the first
// try: four attempts, 1 s → 2 s → 4 s apart, before a photo is marked failed. Real worker
// runtime, real Postgres and Redis; the caption service fails on purpose.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as upload } from "@/app/api/v1/media/route";
import { GET as stream } from "@/app/api/v1/media/stream/route";
import { AiError } from "@/lib/ai/errors";
import { createLocalProvider } from "@/lib/ai/local";
import type { AiProvider } from "@/lib/ai/types";
import type { MediaView } from "@/lib/media/view";
import { createRedis } from "@/lib/redis";
import { call, photoForm, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { makeJpeg } from "@/test/test-images";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import { attemptsFor, DEFAULT_MAX_RETRIES, findJob, jobCatalogue, type JobName } from "./index";

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let cookie: string;
/** Calls still to fail, and calls made (and when, in ms): one photo at a time. */
let failNext = 0;
let calls = 0;
let callTimes: number[] = [];

beforeAll(async () => {
  iso = await isolate();
  const local = createLocalProvider();
  const flaky: AiProvider = {
    name: local.name,
    async describe(input, signal) {
      calls += 1;
      callTimes.push(performance.now());
      if (failNext > 0) {
        failNext -= 1;
        throw new AiError("transient", "The caption service is having a bad day");
      }
      return local.describe(input, signal);
    },
  };
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis, { ai: flaky })), { concurrency: 2, log: () => {} });
  cookie = await signUp("retries@example.com");
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
});

async function uploadOne(seed: number) {
  const bytes = await makeJpeg({ width: 320, height: 240, seed });
  const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm([{ name: `p${seed}.jpg`, bytes }]) });
  expect(res.status).toBe(202);
  return ((await res.json()).media[0] as MediaView).id;
}

/**
 * The waits between attempts follow 1 s → 2 s → 4 s. Lower bounds only, 10 % under: a busy
 * machine makes a wait longer, never shorter, so an upper bound would only measure the machine.
 */
function expectBackoff() {
  const gaps = callTimes.slice(1).map((t, i) => t - callTimes[i]);
  expect(gaps).toHaveLength(3);
  expect(gaps[0], "first retry after ~1 s").toBeGreaterThanOrEqual(900);
  expect(gaps[1], "second retry after ~2 s").toBeGreaterThanOrEqual(1_800);
  expect(gaps[2], "third retry after ~4 s").toBeGreaterThanOrEqual(3_600);
}

async function finalState(id: string): Promise<MediaView> {
  const events = await readSse(await call(stream, { path: `/api/v1/media/stream?ids=${id}`, cookie }));
  return events.filter((m) => m.event === "media").at(-1)!.data as MediaView;
}

describe("retry 3 times", () => {
  it("gives a photo three retries after its first try, 1 s → 2 s → 4 s apart: three failures, and the fourth attempt succeeds", async () => {
    calls = 0;
    callTimes = [];
    failNext = 3;
    const id = await uploadOne(41);
    expect((await finalState(id)).status).toBe("done");
    expect(calls).toBe(4);
    expectBackoff();
    expect((await findJob("analyze-media", { mediaId: id }))?.opts.attempts).toBe(DEFAULT_MAX_RETRIES + 1);
  });

  it("fails the photo after the fourth failed attempt, 1 s → 2 s → 4 s apart, with a sentence saying what to do", async () => {
    calls = 0;
    callTimes = [];
    failNext = 1_000;
    const id = await uploadOne(42);
    const view = await finalState(id);
    expect(view.status).toBe("failed");
    expect(view.error).toMatch(/caption service had a problem: The caption service is having a bad day/);
    expect(calls).toBe(4);
    expectBackoff();
    failNext = 0;
  });
});

describe("attempts per job", () => {
  it("is the first try plus JOB_QUEUE_MAX_RETRIES for every retried job; webhooks and maintenance keep theirs", () => {
    for (const name of Object.keys(jobCatalogue) as JobName[]) {
      const configured = "configuredRetries" in jobCatalogue[name];
      expect(attemptsFor(name, 0)).toBe(configured ? 1 : (jobCatalogue[name].options.attempts ?? 1));
      expect(attemptsFor(name, 5)).toBe(configured ? 6 : (jobCatalogue[name].options.attempts ?? 1));
    }
    expect(attemptsFor("analyze-media", 3)).toBe(4);
    expect(attemptsFor("vlog-render", 3)).toBe(4);
    expect(attemptsFor("ai-job", 3)).toBe(4);
    expect(attemptsFor("reconcile-media", 3)).toBe(1);
  });
});
