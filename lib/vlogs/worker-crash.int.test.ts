// A worker killed in the middle of rendering: the real worker process (tsx worker/index.ts)
// is SIGKILLed with its ffmpeg mid-encode, another is started, and Resume finishes the
// vlog — re-running only the step that was cut short.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startWorker as startWorkerProcess, type Child } from "@/test/processes";
import { GET as mediaStream } from "@/app/api/v1/media/stream/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { POST as resume } from "@/app/api/v1/vlogs/[id]/resume/route";
import { POST as createVlog } from "@/app/api/v1/vlogs/route";
import { GET as vlogStream } from "@/app/api/v1/vlogs/stream/route";
import { db } from "@/lib/db";
import { closePublisher } from "@/lib/events/publish";
import { closeEventHub } from "@/lib/events/web";
import { closeQueues } from "@/lib/jobs";
import { makeJpeg } from "@/test/test-images";
import { storage } from "@/lib/storage/instance";
import { call, photoForm, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { getRunHistory } from "@/lib/workflow/repository";
import { isTerminalVlog, type VlogView } from "./view";

let iso: IsolatedEnv;
let cookie: string;
const workers: Child[] = [];

/** The real worker; it leads a process group, so its ffmpeg dies with it. */
async function startWorker(): Promise<Child> {
  const child = await startWorkerProcess({ WORKER_CONCURRENCY: "2" }, { env: process.env });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  // A short lock, so a dead worker's job is free to resume within seconds.
  iso = await isolate({ WORKER_LOCK_DURATION_MS: "4000" });
  cookie = await signUp("crash@example.com");
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all([closeQueues(), closeEventHub(), closePublisher()]);
  await db().$disconnect();
  await iso?.teardown();
});

async function follow(id: string, until: (v: VlogView) => boolean): Promise<VlogView> {
  const res = await call(vlogStream, { path: `/api/v1/vlogs/stream?ids=${id}`, cookie });
  const messages = await readSse(res, (m) => m.event === "vlog" && until(m.data as VlogView));
  return messages.filter((m) => m.event === "vlog").at(-1)!.data as VlogView;
}

it("resumes a vlog whose worker was killed mid-render, re-running only the interrupted step", { timeout: 300_000 }, async () => {
  const first = await startWorker();

  const files = await Promise.all([1, 2, 3, 4, 5].map(async (i) => ({ name: `c${i}.jpg`, bytes: await makeJpeg({ width: 900, height: 600, seed: 300 + i * 13 }) })));
  const uploaded = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm(files) });
  const ids = ((await uploaded.json()).media as { id: string }[]).map((m) => m.id);
  await readSse(await call(mediaStream, { path: `/api/v1/media/stream?ids=${ids.join(",")}`, cookie }));

  const created = await call(createVlog, {
    path: "/api/v1/vlogs",
    method: "POST",
    cookie,
    body: JSON.stringify({ mediaIds: ids, style: "upbeat", autoProgress: true }),
    headers: { "content-type": "application/json" },
  });
  const { vlogId } = await created.json();

  // Wait until ffmpeg is encoding, then kill the worker and everything it started.
  const mid = await follow(vlogId, (v) => isTerminalVlog(v.status) || (v.stepLabel === "Rendering the video" && /Encoding: [1-9]/.test(v.note ?? "")));
  expect(mid.status).toBe("rendering");
  first.kill("SIGKILL");
  await first.exited;

  await startWorker();
  // Until the dead worker's lock expires, its step still counts as running (409).
  let status = 0;
  for (let tries = 0; tries < 100 && status !== 202; tries++) {
    const res = await call(resume, { path: `/api/v1/vlogs/${vlogId}/resume`, method: "POST", cookie, params: { id: vlogId } });
    status = res.status;
    if (status === 409) {
      expect((await res.json()).error.code).toBe("still_running");
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  expect(status).toBe(202);

  const done = await follow(vlogId, (v) => v.status === "completed" || v.status === "failed");
  expect(done.status).toBe("completed");

  const row = await db().vlog.findUniqueOrThrow({ where: { id: vlogId } });
  expect(await storage().stat(row.videoKey!)).not.toBeNull();
  const run = await getRunHistory(db(), row.runId);
  const outcomes = Object.fromEntries(run!.steps.map((s) => [`${s.phase}/${s.step}`, s.history.map((h) => h.outcome)]));
  expect(outcomes).toEqual({
    "storyboard/think": ["succeeded"],
    "storyboard/execute": ["succeeded"],
    "storyboard/integrate": ["succeeded"],
    "render/think": ["succeeded"],
    "render/execute": ["interrupted", "succeeded"],
    "render/integrate": ["succeeded"],
  });
  const execute = run!.steps.find((s) => s.phase === "render" && s.step === "execute")!;
  expect(execute.history[0].worker).not.toBe(execute.history[1].worker);
  expect(run!.generation).toBe(1);
});
