// Scenario 11 — the podcast pipeline (issue 10), each part beside a bare baseline in the same run:
//  1. Upload memory: one large WAV (500 MB; --quick 100 MB) streamed from disk to
//     POST /api/v1/episodes; the web process's VmRSS sampled every 20 ms, peak minus before;
//     the bare busboy server takes the same upload. No worker runs.
//  2. Analyse + publish: a speech MP3 made with espeak-ng + ffmpeg (60 minutes; --quick 5)
//     uploaded, analysed by the worker (probe, understand locally, assemble) up to the review
//     gate, then published (encode, store, feed, notify). Wall time from the upload's 202 to
//     "ready for review" plus from Publish to "published" (the wait for a person is not
//     counted), against the bare ffmpeg commands for the same work run directly on the same
//     file: ffprobe, one decode for loudness and pauses (the product's own filters), and a
//     two-pass loudnorm encode to MP3 with tags and chapters. ffmpeg's CPU seconds on both
//     sides come from /usr/bin/time around every ffmpeg run (FFMPEG_PATH of the worker).
//  3. Feed of 1,000 episodes: published episodes seeded straight into Postgres under a new
//     show; each sample changes the show (PATCH), waits for the worker's feed build, then
//     times the first GET /feeds/:token (cold: the stored XML read and hashed), against the
//     bare server reading and hashing the same stored file; then autocannon at c=1 on the
//     cached feed and on a repeat with If-None-Match (304), against the bare server's same.
import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { EBUR128_FILTER } from "@/lib/podcasts/loudness";
import { silencedetectFilter } from "@/lib/podcasts/silence";
import { makeSpeech } from "@/test/audio";
import { BODY_END, MULTIPART_TYPE, PART_TAIL, partHead } from "./lib/fixtures";
import { load } from "./lib/http-load";
import { rssBytes, sampleRss } from "./lib/proc";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import type { Stack } from "./lib/stack";
import { median, num, sleep, summarise } from "./lib/stats";
import { timedFfmpeg } from "./lib/timed-ffmpeg";

const run = promisify(execFile);
const MB = 1024 * 1024;

/** A few minutes of varied speech, looped to length with pauses (chapters come from pauses). */
const SPEECH = [
  "Welcome back to the show. Today we talk about building a small media server at home.",
  "Our guest has run one for six years, and she has strong opinions about backups.",
  "First, the hardware. A quiet machine with two disks is enough for most families.",
  "Second, the software. Keep it boring, keep it updated, and write down what you changed.",
  "Third, the network. Put the server behind your router and never open more ports than you need.",
  "We also answer a listener question about transcoding video for old televisions.",
  "That is all for this week. Thank you for listening, and see you next time.",
].join(" ");

// ---------------------------------------------------------------------------------------
// Helpers

/** POSTs a file as one multipart part "file", streamed from disk. */
function streamUpload(url: string, headers: Record<string, string>, file: string, bytes: number, type: string): Promise<{ status: number; seconds: number; body: string }> {
  const head = partHead(path.basename(file), type, "file");
  const length = head.length + bytes + PART_TAIL.length + BODY_END.length;
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent: false, headers: { ...headers, "content-type": MULTIPART_TYPE, "content-length": length } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, seconds: (performance.now() - began) / 1000, body }));
    });
    req.on("error", reject);
    req.write(head);
    pipeline(createReadStream(file), req, { end: false })
      .then(() => {
        req.write(PART_TAIL);
        req.end(BODY_END);
      })
      .catch(reject);
  });
}


async function episodeState(stack: Stack, episodeId: string): Promise<{ status: string; error: string | null; publishedAt: Date | null }> {
  const { rows } = await stack.sql().query(
    `SELECT r.status, r.error, e."publishedAt" FROM "Episode" e JOIN "WorkflowRun" r ON r.id = e."runId" WHERE e.id = $1`,
    [episodeId],
  );
  if (!rows[0]) throw new Error(`episode ${episodeId} is gone`);
  return rows[0];
}

/** Polls the run every 100 ms until it waits at the gate (or completes); throws on failure. */
async function waitForRun(stack: Stack, episodeId: string, until: "waiting" | "completed", timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await episodeState(stack, episodeId);
    if (s.status === "failed") throw new Error(`episode ${episodeId} failed: ${s.error}`);
    if (s.status === until) return;
    if (Date.now() > deadline) throw new Error(`episode ${episodeId} still ${s.status} after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

async function stepDurations(stack: Stack, episodeId: string): Promise<Record<string, number>> {
  const { rows } = await stack.sql().query(
    `SELECT s.phase, s.step, s."durationMs" FROM "WorkflowStep" s JOIN "Episode" e ON e."runId" = s."runId" WHERE e.id = $1 ORDER BY s.position`,
    [episodeId],
  );
  return Object.fromEntries(rows.map((r: { phase: string; step: string; durationMs: number | null }) => [`${r.phase}/${r.step}`, (r.durationMs ?? NaN) / 1000]));
}

async function api(stack: Stack, method: string, pathname: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${stack.webUrl}${pathname}`, {
    method,
    headers: { cookie: stack.cookie, origin: stack.webUrl, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${pathname} answered ${r.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** Removes an episode the bench made but does not want processed (its run, rows and files). */
async function dropEpisode(stack: Stack, episodeId: string): Promise<void> {
  const { rows } = await stack.sql().query(`SELECT "runId", "showId" FROM "Episode" WHERE id = $1`, [episodeId]);
  if (!rows[0]) return;
  await stack.sql().query(`DELETE FROM "WorkflowRun" WHERE id = $1`, [rows[0].runId]);
  await rm(path.join(stack.dataDir, "objects", "podcasts", rows[0].showId, episodeId), { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------
// 1. Upload memory

async function uploadMemory(stack: Stack, bytes: number) {
  // Stereo 16-bit 44.1 kHz: 176,400 bytes a second.
  const seconds = Math.floor(bytes / 176_400);
  const wav = await makeSpeech(SPEECH, { format: "wav", seconds, channels: 2, name: `upload-${Date.now()}.wav` });
  const size = (await stat(wav)).size;
  const headers = { cookie: stack.cookie, origin: stack.webUrl };
  try {
    // Warm the route with a small file so first-use compilation is not counted.
    const small = await makeSpeech("A warm-up.", { format: "wav", name: `warm-${Date.now()}.wav` });
    const warm = await streamUpload(`${stack.webUrl}/api/v1/episodes`, headers, small, (await stat(small)).size, "audio/wav");
    if (warm.status !== 202) throw new Error(`warm-up upload answered ${warm.status}: ${warm.body.slice(0, 300)}`);
    await dropEpisode(stack, (JSON.parse(warm.body) as { episodeId: string }).episodeId);

    const measure = async (url: string, pid: number) => {
      await sleep(500);
      const before = rssBytes(pid);
      const sampler = sampleRss(pid, 20);
      const result = await streamUpload(url, headers, wav, size, "audio/wav");
      await sleep(200);
      const samples = sampler.stop();
      if (result.status !== 202) throw new Error(`${url} answered ${result.status}: ${result.body.slice(0, 300)}`);
      const peak = Math.max(...samples);
      return { growthMb: (peak - before) / MB, beforeMb: before / MB, peakMb: peak / MB, seconds: result.seconds, body: result.body };
    };
    const ours = await measure(`${stack.webUrl}/api/v1/episodes`, stack.webPid);
    await dropEpisode(stack, (JSON.parse(ours.body) as { episodeId: string }).episodeId);
    const bare = await measure(`${stack.baselineUrl}/upload-audio`, stack.baselinePid);
    await stack.clearQueues();
    return { size, seconds, ours: { ...ours, body: undefined }, bare: { ...bare, body: undefined } };
  } finally {
    await rm(wav, { force: true });
  }
}

// ---------------------------------------------------------------------------------------
// 2. Analyse + publish vs bare ffmpeg

interface ProductTrial {
  /** The episode's loudness record: before, after, and how it was normalised. */
  loudness: unknown;
  uploadSeconds: number;
  analyseSeconds: number;
  publishSeconds: number;
  wallSeconds: number;
  ffmpegCpuSeconds: number;
  steps: Record<string, number>;
}

async function productTrial(stack: Stack, mp3: string, timed: { take(): number }, n: number): Promise<ProductTrial> {
  const size = (await stat(mp3)).size;
  timed.take();
  const up = await streamUpload(`${stack.webUrl}/api/v1/episodes`, { cookie: stack.cookie, origin: stack.webUrl }, mp3, size, "audio/mpeg");
  if (up.status !== 202) throw new Error(`episode upload answered ${up.status}: ${up.body.slice(0, 300)}`);
  const { episodeId } = JSON.parse(up.body) as { episodeId: string };
  const analyseStart = performance.now();
  await waitForRun(stack, episodeId, "waiting", 3 * 3600_000);
  const analyseSeconds = (performance.now() - analyseStart) / 1000;
  const publishStart = performance.now();
  await api(stack, "POST", `/api/v1/episodes/${episodeId}/publish`);
  await waitForRun(stack, episodeId, "completed", 3 * 3600_000);
  const publishSeconds = (performance.now() - publishStart) / 1000;
  const state = await episodeState(stack, episodeId);
  if (!state.publishedAt) throw new Error(`episode ${episodeId} completed without being published (trial ${n})`);
  const { rows } = await stack.sql().query(`SELECT loudness FROM "Episode" WHERE id = $1`, [episodeId]);
  return {
    loudness: rows[0]?.loudness ?? null,
    uploadSeconds: up.seconds,
    analyseSeconds,
    publishSeconds,
    wallSeconds: analyseSeconds + publishSeconds,
    ffmpegCpuSeconds: timed.take(),
    steps: await stepDurations(stack, episodeId),
  };
}

interface BareTrial {
  wallSeconds: number;
  ffmpegCpuSeconds: number;
  parts: Record<string, number>;
}

/** The bare commands: probe, one analysis decode, loudnorm measure, loudnorm + MP3 encode. */
async function bareTrial(dir: string, mp3: string, timed: { bin: string; take(): number }): Promise<BareTrial> {
  const out = path.join(dir, "bare-episode.mp3");
  const meta = path.join(dir, "bare.ffmeta");
  await writeFile(meta, ";FFMETADATA1\ntitle=Bench episode\nartist=Bench\nalbum=Bench show\ngenre=Podcast\n\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=60000\ntitle=Start\n");
  const parts: Record<string, number> = {};
  const time = async (name: string, work: () => Promise<{ stderr: string }>) => {
    const t = performance.now();
    const r = await work();
    parts[name] = (performance.now() - t) / 1000;
    return r;
  };
  timed.take();
  const began = performance.now();
  const big = { maxBuffer: 512 * MB };
  await time("ffprobe", () =>
    run("ffprobe", ["-v", "warning", "-hide_banner", "-show_entries", "format=duration,bit_rate:format_tags:stream=codec_type,codec_name,channels,sample_rate,bit_rate,duration", "-of", "json", mp3], big),
  );
  await time("analysis decode", () =>
    run(timed.bin, ["-hide_banner", "-nostdin", "-i", mp3, "-map", "0:a:0", "-af", `${silencedetectFilter()},${EBUR128_FILTER}`, "-f", "null", "-"], big),
  );
  const target = "I=-16:TP=-1.5:LRA=11";
  const pass1 = await time("loudnorm pass 1", () => run(timed.bin, ["-hide_banner", "-nostdin", "-i", mp3, "-map", "0:a:0", "-af", `loudnorm=${target}:print_format=json`, "-f", "null", "-"], big));
  const m = JSON.parse(pass1.stderr.slice(pass1.stderr.lastIndexOf("{"))) as Record<string, string>;
  const apply = `loudnorm=${target}:measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=true`;
  await time("loudnorm pass 2 + MP3 encode", () =>
    run(timed.bin, [
      "-hide_banner", "-nostdin", "-y", "-i", mp3, "-i", meta, "-map", "0:a:0", "-map_metadata", "1", "-map_chapters", "1",
      "-af", `${apply},aresample=44100`, "-ar", "44100", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k", "-id3v2_version", "3", "-write_id3v1", "0", "-f", "mp3", out,
    ], big),
  );
  const wallSeconds = (performance.now() - began) / 1000;
  await rm(out, { force: true });
  return { wallSeconds, ffmpegCpuSeconds: timed.take(), parts };
}

// ---------------------------------------------------------------------------------------
// 3. Feed of 1,000 episodes

/** 1,000 published episodes under `showId`, with runs, as the publish phase leaves them. */
async function seedEpisodes(stack: Stack, showId: string, count: number): Promise<void> {
  const notes = "<p>In this episode we talk about <strong>home servers</strong>, backups and quiet hardware.</p>" +
    "<ul><li>Two disks are enough</li><li>Write down what you changed</li><li>Never open more ports than you need</li></ul>" +
    '<p>Links: <a href="https://example.com/notes">show notes</a> and <a href="https://example.com/guest">our guest</a>. Thanks &amp; see you next week.</p>';
  await stack.sql().query(
    `WITH n AS (SELECT g, gen_random_uuid() AS run, gen_random_uuid() AS ep FROM generate_series(1, $3::int) g),
          runs AS (
            INSERT INTO "WorkflowRun" (id, kind, "ownerId", status, phase, step, "autoProgressSteps", "autoProgressPhases", input, "updatedAt", "completedAt")
            SELECT run, 'episode', $1::uuid, 'completed', 'publish', 'notify', true, false, jsonb_build_object('episodeId', ep), now(), now() FROM n
            RETURNING id)
     INSERT INTO "Episode" (id, "ownerId", "showId", "runId", "originalName", "sourceKey", "sourceMime", "sourceBytes",
                            title, summary, "showNotes", keywords, language, season, "episodeNumber", "episodeType", explicit,
                            "durationSec", "audioKey", "audioBytes", files, "publishedAt", "updatedAt")
     SELECT ep, $1::uuid, $2::uuid, run, 'episode-' || g || '.mp3',
            'podcasts/' || $5::text || '/' || ep::text || '/source.mp3', 'audio/mpeg', 57600000,
            'Episode ' || g || ': home servers, backups & quiet hardware',
            'We talk about running a small media server at home: hardware, software, the network and backups (part ' || g || ').',
            $4::text, ARRAY['home server', 'backups', 'self-hosting', 'hardware', 'networking'], 'en', 1 + g / 100, g, 'full', false,
            3600 + g, 'podcasts/' || $5::text || '/' || ep::text || '/g0/episode.mp3', 28800000 + g,
            jsonb_build_object('vtt', 'podcasts/' || $5::text || '/' || ep::text || '/g0/transcript.vtt',
                               'srt', 'podcasts/' || $5::text || '/' || ep::text || '/g0/transcript.srt',
                               'chapters', 'podcasts/' || $5::text || '/' || ep::text || '/g0/chapters.json'),
            now() - (g || ' days')::interval, now()
       FROM n`,
    [stack.userId, showId, count, notes, showId],
  );
}

async function showVersion(stack: Stack, showId: string): Promise<number> {
  const { rows } = await stack.sql().query(`SELECT "feedVersion" FROM "Show" WHERE id = $1`, [showId]);
  return rows[0].feedVersion as number;
}

async function waitForVersion(stack: Stack, showId: string, above: number, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await showVersion(stack, showId);
    if (v > above) return v;
    if (Date.now() > deadline) throw new Error(`the feed of show ${showId} was not rebuilt within ${timeoutMs / 1000} s (version ${v})`);
    await sleep(20);
  }
}

/** One GET, timed to its last byte. Uncompressed unless asked: fetch itself would ask for gzip. */
async function timedGet(url: string, headers: Record<string, string> = {}): Promise<{ ms: number; status: number; body: Buffer; etag: string | null }> {
  const t = performance.now();
  const r = await fetch(url, { headers: { "accept-encoding": "identity", ...headers } });
  const body = Buffer.from(await r.arrayBuffer());
  return { ms: performance.now() - t, status: r.status, body, etag: r.headers.get("etag") };
}

/** Bytes on the wire and their encoding (fetch would decompress them). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; encoding: string | null }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        let bytes = 0;
        res.on("data", (c: Buffer) => (bytes += c.length));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes, encoding: (res.headers["content-encoding"] as string | undefined) ?? null }));
      })
      .on("error", reject);
  });
}

async function feedBench(stack: Stack, quick: boolean, log: (l: string) => void) {
  const EPISODES = 1_000;
  const show = (await api(stack, "POST", "/api/v1/shows", {
    title: "Feed bench show",
    description: "A show with a thousand episodes.",
    author: "Bench",
    ownerName: "Bench",
    ownerEmail: "bench@example.com",
  })) as { id: string; feedUrl: string };
  const token = new URL(show.feedUrl).pathname.split("/").pop()!;
  const ours = `${stack.webUrl}/feeds/${token}`;
  const bare = `${stack.baselineUrl}/feed/${token}`;
  // The new show's own (empty) feed build first, then the episodes.
  await waitForVersion(stack, show.id, 0);
  const seedStart = performance.now();
  await seedEpisodes(stack, show.id, EPISODES);
  const seedSeconds = (performance.now() - seedStart) / 1000;

  // Each sample: a change, the worker's build, the first request (cold), then the bare server's cold read of the same file.
  const samples = quick ? 10 : 30;
  const cold: number[] = [];
  const bareCold: number[] = [];
  const builds: number[] = [];
  let bytes = 0;
  let items = 0;
  for (let i = 0; i <= samples; i++) {
    const before = await showVersion(stack, show.id);
    const t = performance.now();
    await api(stack, "PATCH", `/api/v1/shows/${show.id}`, { description: `A show with a thousand episodes (change ${i}).` });
    await waitForVersion(stack, show.id, before);
    const built = (performance.now() - t) / 1000;
    const a = await timedGet(ours);
    const b = await timedGet(`${bare}?nocache=1`);
    if (a.status !== 200 || b.status !== 200) throw new Error(`feed answered ${a.status} (bare ${b.status})`);
    if (i === 0) {
      // The first build of the seeded show: check it really has them all (and warm the route).
      items = (a.body.toString("utf8").match(/<item>/g) ?? []).length;
      bytes = a.body.length;
      if (items !== EPISODES) throw new Error(`the feed has ${items} items, expected ${EPISODES}`);
      log(`  feed: ${items} items, ${num(bytes / 1024)} KB, built in ${num(built)} s after the change`);
      continue;
    }
    builds.push(built);
    cold.push(a.ms);
    bareCold.push(b.ms);
  }
  const seconds = quick ? 5 : 10;
  const etag = (await timedGet(ours)).etag!;
  const bareEtag = (await timedGet(bare)).etag!;
  const cached = await load({ url: ours, connections: 1, seconds });
  const bareCached = await load({ url: bare, connections: 1, seconds });
  // What podcast apps send: Next compresses on every request; the bare server once per version.
  const gzipped = await load({ url: ours, connections: 1, seconds, headers: { "accept-encoding": "gzip" } });
  const bareGzipped = await load({ url: bare, connections: 1, seconds, headers: { "accept-encoding": "gzip" } });
  const gz = await rawGet(ours, { "accept-encoding": "gzip" });
  const notModified = await load({ url: ours, connections: 1, seconds, headers: { "if-none-match": etag } });
  const bareNotModified = await load({ url: bare, connections: 1, seconds, headers: { "if-none-match": bareEtag } });
  for (const r of [cached, bareCached, gzipped, bareGzipped]) if (r.non2xx || r.errors) throw new Error(`cached feed: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  // autocannon counts 304 as non-2xx: every answer must be one.
  for (const r of [notModified, bareNotModified]) if (r.errors || r.non2xx !== r.requests) throw new Error(`304 run: ${r.requests - r.non2xx} answers were not 304`);
  return { episodes: EPISODES, items, bytes, seedSeconds, builds, cold, bareCold, cached, bareCached, gzipped, bareGzipped, gzip: gz, notModified, bareNotModified, seconds };
}

// ---------------------------------------------------------------------------------------

export const scenario: Scenario = {
  number: 11,
  id: "podcast-pipeline",
  title: "podcast pipeline",
  target: "analyse + publish ≥ 90 % of bare ffmpeg; 500 MB WAV upload RSS ≤ +64 MB; 1,000-episode feed p50 ≤ 20 ms cold, ≤ 2 ms cached/304",
  async run({ resources, quick, log }) {
    const stack = await resources.stack();
    const dir = await mkdtemp(path.join(os.tmpdir(), `framecast-bench-${resources.runId}-podcast-`));
    const rows: Row[] = [];
    const data: Record<string, unknown> = {};
    try {
      await stack.clearQueues();
      // 1. Upload memory (no worker: the episode is removed before anything runs).
      const uploadBytes = quick ? 100 * MB : 500 * MB;
      log(`  upload memory: ${uploadBytes / MB} MB WAV…`);
      const mem = await uploadMemory(stack, uploadBytes);
      data.upload = mem;
      rows.push({
        case: `RSS growth during one ${num(mem.size / MB)} MB WAV upload`,
        unit: "MB",
        median: mem.ours.growthMb,
        baseline: `bare busboy server +${num(mem.bare.growthMb)} MB`,
        target: "≤ 64 MB",
        pass: mem.ours.growthMb <= 64,
        note: `${num(mem.ours.beforeMb)} → ${num(mem.ours.peakMb)} MB; ${num(mem.size / MB / mem.ours.seconds)} MB/s vs bare ${num(mem.size / MB / mem.bare.seconds)} MB/s`,
      });

      // 2. Analyse + publish.
      const minutes = Number(process.env.BENCH_PODCAST_MINUTES ?? (quick ? 5 : 60));
      log(`  making ${minutes} minutes of speech…`);
      const mp3 = await makeSpeech(SPEECH, { format: "mp3", seconds: minutes * 60, name: `speech-${minutes}min.mp3` });
      const timed = timedFfmpeg(dir);
      const worker = await stack.startWorker({ FFMPEG_PATH: timed.bin, WORKER_AUTOSCALE: "false" });
      try {
        // A short episode first: the worker's first steps pay one-off costs (Prisma, sharp).
        const warm = await makeSpeech("A short warm-up episode. It has two sentences.", { format: "mp3", seconds: 12, name: "warm.mp3" });
        await productTrial(stack, warm, timed, 0);
        const trials = quick ? 1 : 2;
        const product: ProductTrial[] = [];
        const bare: BareTrial[] = [];
        for (let t = 0; t < trials; t++) {
          // Interleaved (P B, B P): load that comes and goes hits both alike.
          const order = t % 2 === 0 ? (["product", "bare"] as const) : (["bare", "product"] as const);
          for (const side of order) {
            if (side === "product") {
              const p = await productTrial(stack, mp3, timed, t + 1);
              product.push(p);
              log(`  product: analyse ${num(p.analyseSeconds)} s + publish ${num(p.publishSeconds)} s, ffmpeg CPU ${num(p.ffmpegCpuSeconds)} s`);
            } else {
              const b = await bareTrial(dir, mp3, timed);
              bare.push(b);
              log(`  bare ffmpeg: ${num(b.wallSeconds)} s, CPU ${num(b.ffmpegCpuSeconds)} s`);
            }
          }
        }
        const pWall = median(product.map((p) => p.wallSeconds));
        const bWall = median(bare.map((b) => b.wallSeconds));
        const share = (bWall / pWall) * 100;
        data.pipeline = { minutes, mp3Bytes: (await stat(mp3)).size, trials, product, bare };
        rows.push({
          case: `${minutes}-minute speech MP3: analyse + publish`,
          unit: "s",
          median: pWall,
          n: trials,
          baseline: `bare ffmpeg commands ${num(bWall)} s (CPU ${num(median(bare.map((b) => b.ffmpegCpuSeconds)))} s)`,
          ratio: `${num(share)} % of bare speed`,
          target: "≥ 90 %",
          pass: share >= 90,
          note: `analyse ${num(median(product.map((p) => p.analyseSeconds)))} s + publish ${num(median(product.map((p) => p.publishSeconds)))} s; ffmpeg CPU ${num(median(product.map((p) => p.ffmpegCpuSeconds)))} s; upload to 202 ${num(median(product.map((p) => p.uploadSeconds)))} s (not counted)`,
        });

        // 3. Feed of 1,000 episodes (the worker builds it).
        log("  feed of 1,000 episodes…");
        const feed = await feedBench(stack, quick, log);
        data.feed = feed;
        const c = summarise(feed.cold);
        const bc = summarise(feed.bareCold);
        rows.push(
          {
            case: `feed, ${feed.episodes} episodes (${num(feed.bytes / 1024)} KB): first GET after a change (cold)`,
            unit: "ms",
            median: c.median,
            p99: c.max,
            n: c.n,
            baseline: `bare node:http read + hash p50 ${num(bc.median)} ms`,
            ratio: `p50 ${num(c.median / bc.median)}× bare`,
            target: "p50 ≤ 20 ms",
            pass: c.median <= 20,
            note: `the worker's build after each change: median ${num(median(feed.builds))} s (not counted)`,
          },
          {
            case: "feed, cached (200), c=1",
            unit: "ms",
            median: feed.cached.p50,
            p99: feed.cached.p99,
            n: feed.cached.requests,
            baseline: `bare node:http from memory p50 ${num(feed.bareCached.p50)} / p99 ${num(feed.bareCached.p99)} ms`,
            target: "p50 ≤ 2 ms",
            pass: feed.cached.p50 <= 2,
            note: `${num(feed.cached.rps)} vs ${num(feed.bareCached.rps)} req/s`,
          },
          {
            case: "feed, cached, Accept-Encoding: gzip (as podcast apps ask), c=1",
            unit: "ms",
            median: feed.gzipped.p50,
            p99: feed.gzipped.p99,
            n: feed.gzipped.requests,
            baseline: `bare node:http, gzip made once per version: p50 ${num(feed.bareGzipped.p50)} / p99 ${num(feed.bareGzipped.p99)} ms`,
            note: `${feed.gzip.encoding ?? "not compressed"}, ${num(feed.gzip.bytes / 1024)} KB on the wire; ${num(feed.gzipped.rps)} vs ${num(feed.bareGzipped.rps)} req/s`,
          },
          {
            case: "feed, If-None-Match → 304, c=1",
            unit: "ms",
            median: feed.notModified.p50,
            p99: feed.notModified.p99,
            n: feed.notModified.requests,
            baseline: `bare node:http p50 ${num(feed.bareNotModified.p50)} / p99 ${num(feed.bareNotModified.p99)} ms`,
            target: "p50 ≤ 2 ms",
            pass: feed.notModified.p50 <= 2,
            note: `${num(feed.notModified.rps)} vs ${num(feed.bareNotModified.rps)} req/s`,
          },
        );
      } finally {
        await worker.stop();
      }
      return {
        rows,
        notes: [
          `Speech: espeak-ng (en-us, 150 wpm) looped with pauses to ${minutes} min, mono 44.1 kHz MP3 128 kbps; local understanding (no Gemini key); the show's review gate waits for Publish, which the bench presses at once. Wall times are measured by polling the run's status in Postgres every 100 ms.`,
          "Bare ffmpeg: ffprobe; one decode with the product's silencedetect + ebur128 filters; loudnorm pass 1 (measure); loudnorm pass 2 (linear when possible) + libmp3lame 64 kbps mono with ID3v2.3 tags and a chapter. The product additionally checks the decode at start and end, measures through a limiter when peaks forbid one gain, and measures the published MP3 (re-encoding once if it missed −16 LUFS by > 1 LU).",
          "Feed cold figure: time to the last byte of the first GET after each change, uncompressed (Accept-Encoding: identity), measured by the bench's own fetch (p99 column: the slowest sample); cached, gzip and 304 by autocannon (whole milliseconds).",
        ],
        data,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
