// Workflow runs that outlive their trouble (issue 13, "Found in review"), with vlogs over the
// HTTP handlers, the real worker runtime, Postgres, Redis, storage and ffmpeg:
// - an admin's Retry of a failed render job (Bull Board or the console) finishes the vlog;
// - a step whose job was lost between the database write and the enqueue is found by the
//   reconciler and finished; a second pass adds nothing;
// - a hung ffmpeg is killed at the step's time limit and the step is retried;
// - every run-shaped answer says when the run started and completed.
import { execFileSync } from "node:child_process";
import { chmod, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUT as bullBoardPut } from "@/app/admin/queues/[[...path]]/route";
import { POST as adminRetry } from "@/app/api/admin/retry/route";
import { GET as getRunAdmin } from "@/app/api/admin/workflow-runs/[id]/route";
import { GET as mediaStream } from "@/app/api/v1/media/stream/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { POST as proceed } from "@/app/api/v1/vlogs/[id]/proceed/route";
import { GET as getProgress } from "@/app/api/v1/vlogs/[id]/progress/route";
import { GET as getVlog } from "@/app/api/v1/vlogs/[id]/route";
import { GET as listVlogs, POST as createVlog } from "@/app/api/v1/vlogs/route";
import { GET as vlogStream } from "@/app/api/v1/vlogs/stream/route";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { findJob, getQueue, workflowQueues } from "@/lib/jobs";
import { createRedis } from "@/lib/redis";
import { storage } from "@/lib/storage/instance";
import { reconcileRuns } from "@/lib/workflow/reconcile";
import * as repo from "@/lib/workflow/repository";
import { call, photoForm, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { makeJpeg } from "@/test/test-images";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { stepTimeoutOf, workflowEngine } from "@/worker/processors/workflows";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import { VLOG_PLAN } from "./plan";
import type { VlogDetail, VlogView } from "./view";

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let admin: string;
let photos: string[];
/** What the stand-in ffmpeg does next: pass through, fail, or hang on an input that never ends. */
let modeFile: string;
/** The render's time limit in this file; 0: the configured one. */
let renderLimitMs = 0;

/** Renders are slow on a loaded 2-core machine: room for two per test. */
const SLOW = 300_000;

const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { "content-type": "application/json" } });

beforeAll(async () => {
  iso = await isolate();
  // ffmpeg behind a switch: "fail" exits 1 with a reason (a permanent failure), "hang" opens a
  // FIFO nobody writes to (an input that never ends) and writes its pid first.
  const dir = iso.dataDir;
  modeFile = path.join(dir, "ffmpeg-mode");
  execFileSync("mkfifo", [path.join(dir, "never.fifo")]);
  const wrapper = path.join(dir, "ffmpeg-switch.sh");
  await writeFile(
    wrapper,
    [
      "#!/bin/sh",
      `mode=$(cat "${modeFile}" 2>/dev/null)`,
      'case "$mode" in',
      '  fail) echo "Simulated encoder crash: the disk is full" >&2; exit 1 ;;',
      `  hang) echo $$ > "${dir}/hung.pid"; exec ffmpeg -hide_banner -nostdin -f s16le -ar 8000 -ac 1 -i "${dir}/never.fifo" -f null - ;;`,
      "esac",
      'exec ffmpeg "$@"',
      "",
    ].join("\n"),
  );
  await chmod(wrapper, 0o755);
  lockRedis = createRedis("lock");
  const engine = workflowEngine({ db: db(), storage: storage(), redis: lockRedis }, { ...env(), FFMPEG_PATH: wrapper });
  engine.stepTimeoutMs = (step) => (step.job === "vlog-render" && renderLimitMs > 0 ? renderLimitMs : stepTimeoutOf(env().STEP_TIMEOUT_MS, step));
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis, { engine })), { concurrency: 2, log: process.env.DEBUG_RUNS ? (l) => process.stderr.write(l) : () => {} });
  admin = await signUp("admin@example.com"); // the first account administers the instance

  const files = await Promise.all([3].map(async (seed) => ({ name: `p${seed}.jpg`, bytes: await makeJpeg({ width: 640, height: 480, seed: seed * 13 }) })));
  const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie: admin, body: photoForm(files) });
  expect(res.status).toBe(202);
  photos = ((await res.json()).media as { id: string }[]).map((m) => m.id);
  await readSse(await call(mediaStream, { path: `/api/v1/media/stream?ids=${photos.join(",")}`, cookie: admin }));
}, 120_000);

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
}, 120_000);

const setMode = (mode: "" | "fail" | "hang") => writeFile(modeFile, mode);

async function newVlog(autoProgress: boolean): Promise<string> {
  const res = await call(createVlog, { path: "/api/v1/vlogs", method: "POST", cookie: admin, ...json({ mediaIds: photos, style: "upbeat", autoProgress }) });
  expect(res.status).toBe(202);
  return (await res.json()).vlogId;
}

async function follow(id: string, until: (v: VlogView) => boolean): Promise<VlogView> {
  const res = await call(vlogStream, { path: `/api/v1/vlogs/stream?ids=${id}`, cookie: admin });
  const messages = await readSse(res, (m) => m.event === "vlog" && until(m.data as VlogView));
  return messages.filter((m) => m.event === "vlog").at(-1)!.data as VlogView;
}

const terminal = (v: VlogView) => v.status === "completed" || v.status === "failed";

/**
 * Follows the vlog until `until` holds. A stream of a vlog that is terminal now ends after
 * its snapshot (e.g. still failed a moment after a Retry), so open another until it holds.
 */
async function waitFor(id: string, until: (v: VlogView) => boolean): Promise<VlogView> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const last = await follow(id, until);
    if (until(last) || Date.now() > deadline) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function detail(id: string): Promise<VlogDetail> {
  return (await call(getVlog, { path: `/api/v1/vlogs/${id}`, cookie: admin, params: { id } })).json();
}

/** A vlog whose render failed for good (ffmpeg exits 1: permanent, no retries). */
async function failedRender(): Promise<{ id: string; runId: string; jobId: string }> {
  await setMode("fail");
  const id = await newVlog(true);
  const failed = await follow(id, terminal);
  await setMode("");
  expect(failed.status).toBe("failed");
  expect(failed.error).toMatch(/Render → Rendering the video failed: .*Simulated encoder crash/);
  const runId = (await detail(id)).runId;
  const run = (await repo.getRun(db(), runId))!;
  const job = await findJob("vlog-render", { runId, phase: "render", step: "execute", generation: run.generation });
  expect(await job?.getState()).toBe("failed");
  return { id, runId, jobId: job!.id! };
}

describe("an admin's Retry of a failed render", () => {
  it("from Bull Board resumes the run at its failed step and the vlog completes", { timeout: SLOW }, async () => {
    const { id, jobId } = await failedRender();
    const res = await call(bullBoardPut, { path: `/admin/queues/api/queues/vlog-render/${encodeURIComponent(jobId)}/retry`, method: "PUT", cookie: admin });
    expect(res.status).toBe(204);
    const done = await waitFor(id, (v) => v.status === "completed");
    expect(done.status).toBe("completed");
    expect(done.videoUrl).toMatch(/^\/api\/v1\/vlogs\//);
    // Only the failed step ran again; the storyboard's steps kept their single attempt.
    expect(done.steps.map((s) => `${s.phase}/${s.step}:${s.attempts}`)).toEqual([
      "storyboard/think:1",
      "storyboard/execute:1",
      "storyboard/integrate:1",
      "render/think:1",
      "render/execute:2",
      "render/integrate:1",
    ]);
  });

  it("from the admin console does the same", { timeout: SLOW }, async () => {
    const { id, jobId } = await failedRender();
    const res = await call(adminRetry, { path: "/api/admin/retry", method: "POST", cookie: admin, ...json({ queue: "vlog-render", jobId }) });
    expect(res.status).toBe(202);
    expect((await waitFor(id, (v) => v.status === "completed")).status).toBe("completed");
  });
});

describe("the reconciler of workflow runs", () => {
  it("re-enqueues a step whose job was lost after the database write; a second pass adds nothing", { timeout: SLOW }, async () => {
    const id = await newVlog(false);
    const ready = await follow(id, (v) => v.status === "storyboard_ready" || v.status === "failed");
    expect(ready.status).toBe("storyboard_ready");
    const runId = (await detail(id)).runId;
    const deps = { db: db(), plans: { vlog: VLOG_PLAN }, rerun: workflowQueues.rerun };
    // Proceed writes to Postgres, then enqueues; the job is then lost (removed here, while
    // the queue is held, as a Redis that lost the write or a crash before the add would).
    const queue = getQueue("workflow-steps");
    await queue.pause();
    try {
      expect((await call(proceed, { path: `/api/v1/vlogs/${id}/proceed`, method: "POST", cookie: admin, params: { id } })).status).toBe(202);
      const run = (await repo.getRun(db(), runId))!;
      expect(run).toMatchObject({ status: "running", phase: "render", step: "think" });
      const data = { runId, phase: "render", step: "think", generation: run.generation };
      await (await findJob("workflow-step", data))!.remove();
      expect(await findJob("workflow-step", data)).toBeUndefined();

      const first = await reconcileRuns(deps, { staleMs: 0 });
      expect(first.enqueued).toEqual([runId]);
      expect(await (await findJob("workflow-step", data))?.getState()).toBe("waiting");
      // At once again: the job is there now, so nothing is added.
      const second = await reconcileRuns(deps, { staleMs: 0 });
      expect(second).toMatchObject({ enqueued: [], retried: [], live: 1 });
    } finally {
      await queue.resume();
    }
    expect((await follow(id, terminal)).status).toBe("completed");
    expect(await reconcileRuns(deps, { staleMs: 0 })).toMatchObject({ checked: 0, enqueued: [], retried: [] });
    // Each step ran once: the reconciler never doubled one.
    expect((await detail(id)).steps.every((s) => s.attempts === 1)).toBe(true);
  });
});

describe("the step time limit", () => {
  it("kills a hung ffmpeg at the render's time limit, says so, and the retried step finishes the vlog", { timeout: SLOW }, async () => {
    await setMode("hang");
    renderLimitMs = 2_000;
    const pidFile = path.join(iso.dataDir, "hung.pid");
    await rm(pidFile, { force: true });
    try {
      const id = await newVlog(true);
      const retrying = await follow(id, (v) => terminal(v) || v.steps.some((s) => s.step === "execute" && s.phase === "render" && s.status === "retrying"));
      const render = retrying.steps.find((s) => s.phase === "render" && s.step === "execute")!;
      expect(render.status).toBe("retrying");
      expect(render.error).toBe("Rendering the video was stopped after running longer than its time limit of 2 seconds (STEP_TIMEOUT_MS).");
      // The ffmpeg that hung is gone, not left holding a core.
      const pid = Number(await readFile(pidFile, "utf8"));
      expect(pid).toBeGreaterThan(0);
      await expect.poll(() => isAlive(pid), { timeout: 5_000 }).toBe(false);
      // The admin history records the attempt as failed with the same sentence.
      const runId = (await detail(id)).runId;
      const history = await (await call(getRunAdmin, { path: `/api/admin/workflow-runs/${runId}`, cookie: admin, params: { id: runId } })).json();
      const attempts = history.run.steps.find((s: { phase: string; step: string }) => s.phase === "render" && s.step === "execute").history;
      expect(attempts[0]).toMatchObject({ outcome: "failed", error: expect.stringMatching(/time limit of 2 seconds/) });

      await setMode("");
      renderLimitMs = 0;
      const done = await follow(id, terminal);
      expect(done.status).toBe("completed");
    } finally {
      await setMode("");
      renderLimitMs = 0;
    }
  });
});

describe("run times", () => {
  it("every run-shaped answer says when the run started and when it completed", { timeout: SLOW }, async () => {
    const before = Date.now();
    const id = await newVlog(false);
    const ready = await follow(id, (v) => v.status === "storyboard_ready" || v.status === "failed");
    expect(ready.startedAt).toEqual(expect.any(String));
    expect(Date.parse(ready.startedAt!)).toBeGreaterThanOrEqual(before - 1_000);
    expect(ready.completedAt).toBeNull();
    const waiting = await (await call(getProgress, { path: `/api/v1/vlogs/${id}/progress`, cookie: admin, params: { id } })).json();
    expect(waiting).toMatchObject({ startedAt: ready.startedAt, completedAt: null });

    expect((await call(proceed, { path: `/api/v1/vlogs/${id}/proceed`, method: "POST", cookie: admin, params: { id } })).status).toBe(202);
    const done = await follow(id, terminal);
    expect(done.status).toBe("completed");
    // Started once: proceeding does not move the start.
    expect(done.startedAt).toBe(ready.startedAt);
    expect(Date.parse(done.completedAt!)).toBeGreaterThan(Date.parse(done.startedAt!));

    const one = await detail(id);
    const listed = ((await (await call(listVlogs, { path: "/api/v1/vlogs", cookie: admin })).json()).vlogs as VlogView[]).find((v) => v.id === id)!;
    const progress = await (await call(getProgress, { path: `/api/v1/vlogs/${id}/progress`, cookie: admin, params: { id } })).json();
    const history = await (await call(getRunAdmin, { path: `/api/admin/workflow-runs/${one.runId}`, cookie: admin, params: { id: one.runId } })).json();
    for (const answer of [one, listed, progress, history.run]) {
      expect(answer).toMatchObject({ startedAt: done.startedAt, completedAt: done.completedAt });
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
