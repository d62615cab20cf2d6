// The hostile corpus's audio cases (test/hostile-corpus.ts) through the real episode upload
// route to the real worker: each must end in a clear 4xx at upload, a failed episode with a
// readable message, or an episode analysed and waiting for review — and the worker must
// keep going. Writes the case → outcome table to test-results/hostile-corpus-audio.md.
import { mkdir, writeFile } from "node:fs/promises";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { GET as getEpisode } from "@/app/api/v1/episodes/[id]/route";
import { POST as createEpisodes } from "@/app/api/v1/episodes/route";
import { GET as episodeStream } from "@/app/api/v1/episodes/stream/route";
import { db } from "@/lib/db";
import { createRedis } from "@/lib/redis";
import { buildAudioCorpus, type HostileCase } from "@/test/hostile-corpus";
import { call, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import type { EpisodeDetail, EpisodeView } from "./view";

const MAX_PIXELS = 4_000_000;

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let mallory: string;

beforeAll(async () => {
  iso = await isolate({ MAX_PIXELS: String(MAX_PIXELS) });
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis, { maxPixels: MAX_PIXELS })), { concurrency: 2, log: () => {} });
  mallory = await signUp("mallory@example.com");
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
});

/** Readable: a sentence for a person, not a stack trace or an internal code. */
function expectReadable(message: string | null | undefined) {
  expect(message).toBeTruthy();
  expect(message!.length).toBeGreaterThan(15);
  expect(message).not.toMatch(/\n\s+at |Error:|undefined|\[object|ffmpeg version|Invalid data found/i);
}

it("handles every hostile audio file with a clear answer", { timeout: 600_000 }, async () => {
  const corpus = await buildAudioCorpus({ maxPixels: MAX_PIXELS });
  const rows: string[] = ["| Case | What | Expected | Got | Message |", "|---|---|---|---|---|"];
  const sent: { c: HostileCase; id: string }[] = [];

  for (const c of corpus) {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(c.bytes)], { type: c.contentType }), c.filename);
    const res = await call(createEpisodes, { path: "/api/v1/episodes", method: "POST", cookie: mallory, body: form });
    const body = await res.json();
    if (c.expect === "rejected") {
      expect.soft(res.status, c.id).toBe(c.status);
      expect.soft(body.error?.message, c.id).toMatch(c.message!);
      expectReadable(body.error?.message);
      rows.push(`| ${c.id} | ${c.what} | rejected ${c.status} | ${res.status} | ${body.error?.message ?? ""} |`);
    } else {
      expect.soft(res.status, `${c.id}: ${JSON.stringify(body)}`).toBe(202);
      if (res.status === 202) sent.push({ c, id: body.episodeId });
    }
  }

  const ids = sent.map((s) => s.id);
  const stream = await call(episodeStream, { path: `/api/v1/episodes/stream?ids=${ids.join(",")}`, cookie: mallory });
  const final = new Map<string, EpisodeView>();
  for (const m of await readSse(stream)) if (m.event === "episode") final.set((m.data as EpisodeView).id, m.data as EpisodeView);

  for (const { c, id } of sent) {
    const ep: EpisodeDetail = await (await call(getEpisode, { path: `/api/v1/episodes/${id}`, cookie: mallory, params: { id } })).json();
    const got = final.get(id)!.status;
    const notes = ep.transcriptNote;
    let message: string | null = null;
    if (c.expect === "failed") {
      expect.soft(got, c.id).toBe("failed");
      message = ep.steps.find((s) => s.status === "failed")?.error ?? null;
      expectReadable(message);
      if (c.message) expect.soft(message, c.id).toMatch(c.message);
    } else {
      expect.soft(["ready_for_review", "no_speech"], `${c.id}: ${ep.error}`).toContain(got);
      const probeNotes = await probeNotesOf(id);
      message = [...probeNotes, notes].filter(Boolean).join(" ") || null;
      if (c.message) expect.soft(message, c.id).toMatch(c.message);
      if (c.name) expect.soft(ep.originalName, c.id).toBe(c.name);
    }
    rows.push(`| ${c.id} | ${c.what} | ${c.expect} | ${got} | ${(message ?? "").replace(/\|/g, "\\|")} |`);
  }
  await mkdir("test-results", { recursive: true });
  await writeFile("test-results/hostile-corpus-audio.md", rows.join("\n") + "\n");
});

async function probeNotesOf(id: string): Promise<string[]> {
  const row = await db().episode.findUniqueOrThrow({ where: { id } });
  return ((row.probe as { notes?: string[] } | null)?.notes ?? []).slice();
}
