// The AI path of a vlog with the real @google/genai SDK against a stub of the Gemini API
// on 127.0.0.1: Gemini writes the storyboard; Veo animates each photo through a
// long-running operation that is pending twice, then done; ffmpeg composes the clips.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { GET as mediaStream } from "@/app/api/v1/media/stream/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { GET as getVlog } from "@/app/api/v1/vlogs/[id]/route";
import { POST as createVlog } from "@/app/api/v1/vlogs/route";
import { GET as vlogStream } from "@/app/api/v1/vlogs/stream/route";
import { db } from "@/lib/db";
import { makeJpeg } from "@/test/test-images";
import { createRedis } from "@/lib/redis";
import { call, photoForm, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { getRunHistory } from "@/lib/workflow/repository";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import type { Timeline } from "./timeline";
import type { VlogDetail, VlogView } from "./view";
import { closeConnections, processorDeps } from "@/test/worker";

const PORT = 3451;
const API_KEY = "AIzaSy-veo-test-key";

interface Seen {
  method: string;
  url: string;
  key: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke at whatever JSON the SDK sent
  body: any;
}

let server: http.Server;
const seen: Seen[] = [];
const polls = new Map<string, number>();
let clip: Buffer;
let scratch: string;
let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let cookie: string;

function stub(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
  const url = req.url ?? "";
  const body = raw ? JSON.parse(raw) : null;
  seen.push({ method: req.method ?? "", url, key: req.headers["x-goog-api-key"] as string | undefined, body });
  const send = (status: number, json: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(json));
  };
  if (req.method === "POST" && url.startsWith("/v1beta/models/gemini-test:generateContent")) {
    const count = Number(/There are (\d+) shots/.exec(body.contents[0].parts[0].text)?.[1] ?? 0);
    const reply = { title: "Stub title", captions: Array.from({ length: count }, (_, i) => `Gemini line ${i + 1}`) };
    return send(200, { candidates: [{ content: { role: "model", parts: [{ text: JSON.stringify(reply) }] }, finishReason: "STOP" }] });
  }
  if (req.method === "POST" && url.startsWith("/v1beta/models/veo-test:predictLongRunning")) {
    const name = `models/veo-test/operations/op-${polls.size + 1}`;
    polls.set(name, 0);
    return send(200, { name });
  }
  const op = /^\/v1beta\/(models\/veo-test\/operations\/op-\d+)/.exec(url)?.[1];
  if (req.method === "GET" && op && polls.has(op)) {
    const n = polls.get(op)! + 1;
    polls.set(op, n);
    if (n <= 2) return send(200, { name: op, done: false, metadata: {} });
    const file = op.split("/").pop()!.replace("-", "");
    return send(200, {
      name: op,
      done: true,
      response: {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
        generateVideoResponse: { generatedSamples: [{ video: { uri: `https://generativelanguage.googleapis.com/v1beta/files/${file}:download?alt=media` } }] },
      },
    });
  }
  if (req.method === "GET" && /^\/v1beta\/files\/op\d+:download/.test(url)) {
    res.writeHead(200, { "content-type": "video/mp4", "content-length": String(clip.length) });
    return res.end(clip);
  }
  send(404, { error: { code: 404, message: `stub has no ${req.method} ${url}`, status: "NOT_FOUND" } });
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "veo-stub-"));
  // What Veo would hand back: a 6 s 1280x720 H.264 clip.
  execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=24:d=6", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path.join(scratch, "clip.mp4")]);
  clip = readFileSync(path.join(scratch, "clip.mp4"));
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => stub(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((resolve) => server.listen(PORT, "127.0.0.1", resolve));
  iso = await isolate({
    GEMINI_API_KEY: API_KEY,
    GEMINI_MODEL: "gemini-test",
    GEMINI_BASE_URL: `http://127.0.0.1:${PORT}`,
    VLOG_RENDERER: "veo",
    VEO_MODEL: "veo-test",
    VEO_POLL_MS: "20",
    VEO_POLL_MAX_MS: "40",
  });
  lockRedis = createRedis("lock");
  runtime = startWorkers(
    buildProcessors(processorDeps(lockRedis)),
    { concurrency: 2, log: () => {} },
  );
  cookie = await signUp("veo@example.com");
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(scratch, { recursive: true, force: true });
});

it("writes the storyboard with Gemini and animates each photo with Veo, polling until the operation is done", { timeout: 180_000 }, async () => {
  const files = await Promise.all([1, 2].map(async (i) => ({ name: `v${i}.jpg`, bytes: await makeJpeg({ width: 800, height: 600, seed: 500 + i * 9 }) })));
  const uploaded = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm(files) });
  const ids = ((await uploaded.json()).media as { id: string }[]).map((m) => m.id);
  await readSse(await call(mediaStream, { path: `/api/v1/media/stream?ids=${ids.join(",")}`, cookie }));

  const created = await call(createVlog, {
    path: "/api/v1/vlogs",
    method: "POST",
    cookie,
    body: JSON.stringify({ mediaIds: ids, style: "calm", autoProgress: true }),
    headers: { "content-type": "application/json" },
  });
  const { vlogId } = await created.json();
  const messages = await readSse(await call(vlogStream, { path: `/api/v1/vlogs/stream?ids=${vlogId}`, cookie }), (m) =>
    ["completed", "failed"].includes((m.data as VlogView).status),
  );
  const updates = messages.filter((m) => m.event === "vlog").map((m) => m.data as VlogView);
  expect(updates.at(-1)!.error).toBeNull();
  expect(updates.at(-1)!.status).toBe("completed");
  expect(updates.some((u) => /Veo is animating photo 1 of 2/.test(u.note ?? ""))).toBe(true);

  // Gemini wrote the storyboard.
  const detail: VlogDetail = await (await call(getVlog, { path: `/api/v1/vlogs/${vlogId}`, cookie, params: { id: vlogId } })).json();
  expect(detail.storyboard).toMatchObject({ title: "Stub title", writer: "gemini:gemini-test" });
  expect(detail.storyboard!.shots.map((s) => s.caption)).toEqual(["Gemini line 1", "Gemini line 2"]);

  // One operation per photo, each started with the photo and its caption, polled until done.
  const starts = seen.filter((r) => r.url.includes(":predictLongRunning"));
  expect(starts).toHaveLength(2);
  for (const s of starts) {
    expect(s.key).toBe(API_KEY);
    expect(s.body.instances[0].image).toMatchObject({ mimeType: "image/jpeg", bytesBase64Encoded: expect.stringMatching(/^\/9j\//) });
    expect(s.body.instances[0].prompt).toMatch(/^Gemini line \d\. Bring this photo to life/);
    expect(s.body.parameters).toMatchObject({ sampleCount: 1, durationSeconds: 5, aspectRatio: "16:9" });
  }
  expect([...polls.values()]).toEqual([3, 3]);
  expect(seen.filter((r) => r.url.includes(":download")).map((r) => r.key)).toEqual([API_KEY, API_KEY]);

  // ffmpeg composed the clips into a video of the timeline's length.
  const row = await db().vlog.findUniqueOrThrow({ where: { id: vlogId } });
  expect(row.renderer).toBe("veo:veo-test");
  const run = await getRunHistory(db(), row.runId);
  const timeline = (run!.steps.find((s) => s.phase === "render" && s.step === "think")!.output as unknown as { timeline: Timeline }).timeline;
  const out = execFileSync("ffprobe", ["-v", "error", "-show_entries", "stream=width,height:format=duration", "-of", "json", path.join(iso.dataDir, "objects", row.videoKey!)], { encoding: "utf8" });
  const info = JSON.parse(out);
  expect(info.streams[0]).toMatchObject({ width: 1280, height: 720 });
  expect(Math.abs(Number(info.format.duration) - timeline.total)).toBeLessThan(0.1);
  // The operations and stored clips were checkpointed, so a retry would not pay again.
  const execute = run!.steps.find((s) => s.phase === "render" && s.step === "execute")!;
  expect(Object.values((execute.checkpoint as { clips: Record<string, { operation: string; key: string }> }).clips)).toEqual([
    { operation: expect.stringMatching(/operations\/op-\d/), key: expect.stringMatching(/clips\/.+\.mp4$/) },
    { operation: expect.stringMatching(/operations\/op-\d/), key: expect.stringMatching(/clips\/.+\.mp4$/) },
  ]);
});
