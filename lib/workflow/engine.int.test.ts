// The workflow engine against real Postgres, Redis and the real worker runtime, with a
// small two-phase test workflow (three steps, then four, on two queues) whose steps can be
// told to fail or to hang.
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { ConflictError } from "@/lib/errors";
import { retryFailedJob } from "@/lib/admin/retry";
import { closeQueues, getQueue, jobCatalogue, jobIdOf, workflowQueues, type WorkflowStepJobName } from "@/lib/jobs";
import { createRedis } from "@/lib/redis";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import * as control from "./control";
import { processStep, type EngineDeps } from "./engine";
import { definePlan, firstStep, jobOf, runProgress, stepLabel } from "./plan";
import * as repo from "./repository";
import { type Json, type RunStatus, type StepStatus, type WorkflowDefinition, type WorkflowPlan } from "./types";
import { processorDeps } from "@/test/worker";

const PLAN: WorkflowPlan<WorkflowStepJobName> = definePlan({
  kind: "test-flow",
  phases: [
    {
      name: "one",
      label: "Phase one",
      steps: [
        { name: "probe", label: "Probing", job: "workflow-step", weight: 1 },
        { name: "understand", label: "Understanding", job: "workflow-step", weight: 1 },
        { name: "assemble", label: "Assembling", job: "workflow-step", weight: 1 },
      ],
    },
    {
      name: "two",
      label: "Phase two",
      steps: [
        { name: "encode", label: "Encoding", job: "vlog-render", weight: 1 },
        { name: "store", label: "Storing", job: "workflow-step", weight: 1 },
        { name: "feed", label: "Feeding", job: "workflow-step", weight: 1 },
        { name: "notify", label: "Notifying", job: "workflow-step", weight: 1 },
      ],
    },
  ],
});

interface Behaviour {
  /** "phase/step" that throws a permanent error the first time it runs. */
  failOnce?: string;
  /** "phase/step" that waits until release() is called. */
  hang?: string;
  /** "phase/step" that asks the run to wait for a person at the next phase boundary. */
  hold?: string;
}

const calls = new Map<string, string[]>(); // runId → "phase/step" in call order
const behaviours = new Map<string, Behaviour>();
const failed = new Set<string>();
const hanging = new Map<string, () => void>();
const changes = new EventEmitter();
changes.setMaxListeners(100);

/** What the failure hook saw, per run. */
const failureReports = new Map<string, { generation: number; phase: string; step: string; message: string }[]>();

const definition: WorkflowDefinition<{ label: string }, typeof PLAN> = {
  plan: PLAN,
  async onRunFailed(run, failure) {
    failureReports.set(run.id, [...(failureReports.get(run.id) ?? []), { generation: run.generation, ...failure }]);
  },
  handlers: Object.fromEntries(
    PLAN.phases.map((phase) => [
      phase.name,
      Object.fromEntries(
        phase.steps.map(({ name: step }) => [
          step,
          async (ctx) => {
            const key = `${ctx.phase}/${ctx.step}`;
            const list = calls.get(ctx.run.id) ?? [];
            list.push(key);
            calls.set(ctx.run.id, list);
            const behaviour = behaviours.get(ctx.run.id) ?? {};
            if (behaviour.failOnce === key && !failed.has(ctx.run.id)) {
              failed.add(ctx.run.id);
              throw new ConflictError("injected", `injected failure at ${key}`);
            }
            if (behaviour.hold === key) await ctx.stopAtNextPhase();
            if (behaviour.hang === key) {
              await ctx.progress(0.5, "hanging");
              await new Promise<void>((resolve) => hanging.set(ctx.run.id, resolve));
            }
            // Each step's output names what it saw, so the chain of outputs can be checked.
            const seen = Object.entries(ctx.outputs).flatMap(([p, steps]) => Object.keys(steps).map((s) => `${p}/${s}`));
            return { step: key, seen, input: ctx.run.input.label } as Json;
          },
        ]),
      ),
    ]),
  ) as WorkflowDefinition<{ label: string }, typeof PLAN>["handlers"],
};

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let ownerId: string;
let engine: EngineDeps<WorkflowStepJobName>;

const controlDeps = () => ({ db: db(), ...workflowQueues });

beforeAll(async () => {
  iso = await isolate();
  lockRedis = createRedis("lock");
  engine = {
    db: db(),
    definitions: { "test-flow": definition },
    enqueue: workflowQueues.enqueue,
    announce: async (run) => void changes.emit("change", run.id),
    progressIntervalMs: 0,
  };
  runtime = startWorkers(
    buildProcessors(processorDeps(lockRedis, { engine })),
    { concurrency: 4, log: () => {} },
  );
  const user = await db().user.create({ data: { email: "engine@example.com", passwordHash: "x" } });
  ownerId = user.id;
});

afterAll(async () => {
  for (const release of hanging.values()) release();
  await runtime?.close();
  await Promise.all([closeQueues(), lockRedis?.quit()]);
  await db().$disconnect();
  await iso?.teardown();
});

async function start(opts: { autoSteps?: boolean; autoPhases?: boolean; behaviour?: Behaviour } = {}) {
  const run = await repo.createRun(db(), PLAN, {
    kind: "test-flow",
    ownerId,
    input: { label: "hello" },
    autoProgressSteps: opts.autoSteps ?? true,
    autoProgressPhases: opts.autoPhases ?? false,
  });
  behaviours.set(run.id, opts.behaviour ?? {});
  const first = firstStep(PLAN);
  await workflowQueues.enqueue(jobOf(PLAN, first.phase, first.step), { runId: run.id, phase: first.phase, step: first.step, generation: 0 });
  return run.id;
}

/** Resolves when the run satisfies `check`, re-checking after every change the engine announces. */
function waitFor(runId: string, check: (run: NonNullable<Awaited<ReturnType<typeof repo.getRunWithSteps>>>) => boolean) {
  return new Promise<NonNullable<Awaited<ReturnType<typeof repo.getRunWithSteps>>>>((resolve, reject) => {
    let busy = false;
    let again = false;
    const test = async () => {
      if (busy) return void (again = true);
      busy = true;
      try {
        const run = await repo.getRunWithSteps(db(), runId);
        if (run && check(run)) {
          changes.off("change", onChange);
          resolve(run);
        }
      } catch (err) {
        changes.off("change", onChange);
        reject(err);
      } finally {
        busy = false;
        if (again) {
          again = false;
          void test();
        }
      }
    };
    const onChange = (id: string) => id === runId && void test();
    changes.on("change", onChange);
    void test();
  });
}

const status = (s: RunStatus) => (run: { status: string }) => run.status === s;
const progressOf = (run: Awaited<ReturnType<typeof waitFor>>) =>
  runProgress(PLAN, { ...run, status: run.status as RunStatus }, run.steps.map((s) => ({ ...s, status: s.status as StepStatus })));

async function attemptsOf(runId: string) {
  const run = await repo.getRunHistory(db(), runId);
  return Object.fromEntries(run!.steps.map((s) => [`${s.phase}/${s.step}`, s.history.map((h) => h.outcome)]));
}

const ALL = PLAN.phases.flatMap((p) => p.steps.map((s) => `${p.name}/${s.name}`));

describe("workflow engine", () => {
  it("advances by itself within a phase, then waits at the phase gate until someone proceeds", async () => {
    const id = await start();
    const waiting = await waitFor(id, status("waiting"));
    expect(calls.get(id)).toEqual(["one/probe", "one/understand", "one/assemble"]);
    expect(progressOf(waiting)).toEqual({
      currentPhase: "two",
      currentStep: "encode",
      completedPhases: ["one"],
      canProceed: true,
      requiresManualTrigger: true,
    });
    expect(waiting.steps.map((s) => s.status)).toEqual(["succeeded", "succeeded", "succeeded", "pending", "pending", "pending", "pending"]);
    // Each step's input and output were stored; later steps saw earlier outputs.
    const understand = waiting.steps[1];
    expect(understand.output).toMatchObject({ step: "one/understand", seen: ["one/probe"], input: "hello" });
    expect(understand.input).toMatchObject({ run: { label: "hello" }, outputs: { one: { probe: { step: "one/probe" } } } });
    expect(understand.durationMs).not.toBeNull();

    await control.proceed(controlDeps(), PLAN, id);
    const done = await waitFor(id, status("completed"));
    expect(calls.get(id)).toEqual(ALL);
    expect(done.steps[3].output).toMatchObject({ seen: ["one/probe", "one/understand", "one/assemble"] });
    expect(done.steps[6].output).toMatchObject({ seen: ALL.slice(0, 6) });
    expect(progressOf(done)).toMatchObject({ completedPhases: ["one", "two"], canProceed: false, requiresManualTrigger: false });
    await expect(control.proceed(controlDeps(), PLAN, id)).rejects.toMatchObject({ name: "ConflictError", code: "cannot_proceed" });
  });

  it("a step can hold the run at the next phase boundary even when it would move on by itself", async () => {
    const id = await start({ autoPhases: true, behaviour: { hold: "one/understand" } });
    const waiting = await waitFor(id, status("waiting"));
    expect(calls.get(id)).toEqual(["one/probe", "one/understand", "one/assemble"]);
    expect(waiting).toMatchObject({ phase: "two", step: "encode", autoProgressPhases: false });
    await control.proceed(controlDeps(), PLAN, id);
    await waitFor(id, status("completed"));
  });

  it("tells the workflow's failure hook once when a run fails, with the step and the reason", async () => {
    const id = await start({ autoPhases: true, behaviour: { failOnce: "two/feed" } });
    await waitFor(id, status("failed"));
    await expect.poll(() => failureReports.get(id)).toEqual([{ generation: 0, phase: "two", step: "feed", message: "injected failure at two/feed" }]);
    await control.resume(controlDeps(), PLAN, id);
    await waitFor(id, status("completed"));
    expect(failureReports.get(id)).toHaveLength(1);
  });

  it("runs straight through when auto-progress between phases is on", async () => {
    const id = await start({ autoPhases: true });
    const done = await waitFor(id, status("completed"));
    expect(calls.get(id)).toEqual(ALL);
    expect(done.steps.every((s) => s.status === "succeeded" && s.attempts === 1)).toBe(true);
  });

  it("waits after every step when auto-progress within a phase is off", async () => {
    const id = await start({ autoSteps: false });
    for (const [i, next] of ALL.slice(1).entries()) {
      const waiting = await waitFor(id, (r) => r.status === "waiting" && `${r.phase}/${r.step}` === next);
      expect(calls.get(id)).toEqual(ALL.slice(0, i + 1));
      expect(progressOf(waiting)).toMatchObject({ currentStep: next.split("/")[1], canProceed: true, requiresManualTrigger: true });
      await control.proceed(controlDeps(), PLAN, id);
    }
    await waitFor(id, status("completed"));
    expect(calls.get(id)).toEqual(ALL);
  });

  for (const failing of ALL) {
    it(`after a failure at ${failing}, resume continues there and re-runs no step that succeeded`, async () => {
      const id = await start({ autoPhases: true, behaviour: { failOnce: failing } });
      const broken = await waitFor(id, status("failed"));
      const [phase, step] = failing.split("/");
      const label = `${phase === "one" ? "Phase one" : "Phase two"} → ${stepLabel(PLAN, phase, step)}`;
      expect(broken.error).toBe(`${label} failed: injected failure at ${failing}`);
      const index = ALL.indexOf(failing);
      expect(broken.steps.map((s) => s.status)).toEqual(ALL.map((_, i) => (i < index ? "succeeded" : i === index ? "failed" : "pending")));
      expect(progressOf(broken)).toMatchObject({ currentStep: failing.split("/")[1], canProceed: false });

      await control.resume(controlDeps(), PLAN, id);
      const done = await waitFor(id, status("completed"));
      expect(done.generation).toBe(1);
      // Every step ran once, except the failed one, which ran twice.
      expect(calls.get(id)).toEqual([...ALL.slice(0, index + 1), ...ALL.slice(index)]);
      const attempts = await attemptsOf(id);
      for (const [i, key] of ALL.entries()) expect(attempts[key]).toEqual(i === index ? ["failed", "succeeded"] : ["succeeded"]);
    });
  }

  it("an admin retry of a failed step's job runs that step again, in the same generation", async () => {
    const id = await start({ autoPhases: true, behaviour: { failOnce: "two/store" } });
    await waitFor(id, status("failed"));
    const data = { runId: id, phase: "two", step: "store", generation: 0 };
    const queue = jobCatalogue["workflow-step"].queue;
    const jobId = jobIdOf("workflow-step", data);
    // The run records the failure just before BullMQ moves the job to failed.
    while (!(await getQueue(queue).getJob(jobId))?.finishedOn) await new Promise((r) => setTimeout(r, 20));
    await retryFailedJob(queue, jobId);
    const done = await waitFor(id, status("completed"));
    expect(done.generation).toBe(0);
    expect(done.error).toBeNull();
    expect(calls.get(id)).toEqual([...ALL.slice(0, 5), ...ALL.slice(4)]);
    expect((await attemptsOf(id))["two/store"]).toEqual(["failed", "succeeded"]);
  });

  it("refuses to resume a step that is still running on a live worker, and ignores stale jobs", async () => {
    const id = await start({ behaviour: { hang: "one/understand" } });
    await waitFor(id, (r) => r.steps[1].status === "running" && r.steps[1].progress === 0.5);
    const refused = await control.resume(controlDeps(), PLAN, id).catch((e) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused).toMatchObject({ code: "still_running" });

    // A job of an older generation (e.g. a duplicate from before a resume) does nothing.
    const stale = await processStep({ runId: id, phase: "one", step: "probe", generation: 7 }, engine);
    expect(stale).toEqual({ ran: false, reason: "superseded by a newer generation" });

    hanging.get(id)!();
    await waitFor(id, status("waiting"));
    expect(calls.get(id)).toEqual(["one/probe", "one/understand", "one/assemble"]);
  });
});
