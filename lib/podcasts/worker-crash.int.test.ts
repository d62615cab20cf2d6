// A worker killed in the middle of encoding an episode: the real worker process (tsx
// worker/index.ts) is SIGKILLed with its ffmpeg mid-encode, another is started, and Resume
// publishes the episode — re-running only the step that was cut short.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { POST as publish } from "@/app/api/v1/episodes/[id]/publish/route";
import { POST as resume } from "@/app/api/v1/episodes/[id]/resume/route";
import { POST as createEpisodes } from "@/app/api/v1/episodes/route";
import { GET as episodeStream } from "@/app/api/v1/episodes/stream/route";
import { db } from "@/lib/db";
import { closePublisher } from "@/lib/events/publish";
import { closeEventHub } from "@/lib/events/web";
import { closeQueues } from "@/lib/jobs";
import { storage } from "@/lib/storage/instance";
import { getRunHistory } from "@/lib/workflow/repository";
import { makeSpeech } from "@/test/audio";
import { call, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { isTerminalEpisode, type EpisodeView } from "./view";

let iso: IsolatedEnv;
let cookie: string;
const workers: ChildProcess[] = [];

/** Starts `tsx worker/index.ts` in its own process group (so ffmpeg dies with it) and waits until it runs. */
async function startWorker(): Promise<ChildProcess> {
  const child = spawn(path.resolve("node_modules/.bin/tsx"), ["worker/index.ts"], {
    // No metrics server: two workers (and other runs on this machine) would share its port.
    env: { ...process.env, WORKER_CONCURRENCY: "2", WORKER_METRICS_PORT: "0", LOG_LEVEL: "info" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  workers.push(child);
  const killGroup = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.once("exit", killGroup);
  child.once("exit", () => process.off("exit", killGroup));
  let output = "";
  child.stderr!.on("data", (c: Buffer) => (output += c));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      output += c;
      if (output.includes("worker started")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`worker exited (${code}) before starting:\n${output}`)));
    setTimeout(() => reject(new Error(`worker did not start within 90 s:\n${output}`)), 90_000).unref();
  });
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  process.kill(-child.pid!, signal);
  await exited;
}

beforeAll(async () => {
  // A short lock, so a dead worker's job is free to resume within seconds.
  iso = await isolate({ WORKER_LOCK_DURATION_MS: "4000" });
  cookie = await signUp("crash@example.com");
});

afterAll(async () => {
  for (const w of workers) await kill(w, "SIGTERM").catch(() => {});
  await Promise.all([closeQueues(), closeEventHub(), closePublisher()]);
  await db().$disconnect();
  await iso?.teardown();
});

async function follow(id: string, until: (v: EpisodeView) => boolean): Promise<EpisodeView> {
  const res = await call(episodeStream, { path: `/api/v1/episodes/stream?ids=${id}`, cookie });
  const messages = await readSse(res, (m) => m.event === "episode" && until(m.data as EpisodeView));
  return messages.filter((m) => m.event === "episode").at(-1)!.data as EpisodeView;
}

it("resumes an episode whose worker was killed mid-encode, re-running only the interrupted step", { timeout: 400_000 }, async () => {
  const first = await startWorker();
  // Five minutes of speech: long enough that the encoder is caught at work.
  const speech = await makeSpeech("The night train leaves at ten. We talk about sleeper cars, tea and the view of the mountains at dawn.", { format: "mp3", seconds: 300 });
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(await readFile(speech))], { type: "audio/mpeg" }), "night-train.mp3");
  const sent = await call(createEpisodes, { path: "/api/v1/episodes", method: "POST", cookie, body: form });
  expect(sent.status).toBe(202);
  const { episodeId: id } = await sent.json();
  expect((await follow(id, (v) => isTerminalEpisode(v.status))).status).toBe("ready_for_review");
  expect((await call(publish, { path: `/api/v1/episodes/${id}/publish`, method: "POST", cookie, params: { id } })).status).toBe(202);

  // Wait until ffmpeg is encoding, then kill the worker and everything it started.
  const mid = await follow(id, (v) => isTerminalEpisode(v.status) || (v.stepLabel === "Encoding the MP3" && /Encoding: [1-9]/.test(v.note ?? "")));
  expect(mid.status).toBe("publishing");
  await kill(first, "SIGKILL");

  await startWorker();
  // Until the dead worker's lock expires, its step still counts as running (409).
  let status = 0;
  for (let tries = 0; tries < 100 && status !== 202; tries++) {
    const res = await call(resume, { path: `/api/v1/episodes/${id}/resume`, method: "POST", cookie, params: { id } });
    status = res.status;
    if (status === 409) {
      expect((await res.json()).error.code).toBe("still_running");
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  expect(status).toBe(202);

  const done = await follow(id, (v) => v.status === "published" || v.status === "failed");
  expect(done.status).toBe("published");
  const row = await db().episode.findUniqueOrThrow({ where: { id } });
  expect((await storage().stat(row.audioKey!))?.size).toBe(Number(row.audioBytes));
  expect(row.durationSec).toBeCloseTo(300, 0);
  const run = await getRunHistory(db(), row.runId);
  const outcomes = Object.fromEntries(run!.steps.map((s) => [`${s.phase}/${s.step}`, s.history.map((h) => h.outcome)]));
  expect(outcomes).toEqual({
    "analyse/probe": ["succeeded"],
    "analyse/understand": ["succeeded"],
    "analyse/assemble": ["succeeded"],
    "publish/encode": ["interrupted", "succeeded"],
    "publish/store": ["succeeded"],
    "publish/feed": ["succeeded"],
    "publish/notify": ["succeeded"],
  });
  const encode = run!.steps.find((s) => s.step === "encode")!;
  expect(encode.history[0].worker).not.toBe(encode.history[1].worker);
  // The killed encode's half-written file was never published under the episode's key.
  expect(row.audioKey).toBe(`podcasts/${row.showId}/${id}/g1/episode.mp3`);
});
