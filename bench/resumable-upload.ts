// Scenario 12 — resumable upload of a 1 GB recording over a connection that drops: a WAV
// of about 1 GiB (--quick 100 MB) is sent with tus-js-client (as the pages send it, in
// 50 MB requests) through a TCP proxy on loopback that cuts the connection at 40 %; the
// client asks where to go on from and sends the rest. The web process's resident memory is
// sampled (VmRSS, every 20 ms) from the first byte until the episode exists (the finish
// reads the whole file once more: sniff, hash, duration check, move into storage). The
// same upload to the bare tus server (@tus/server + file store in the baseline process, no
// session, no checks, no storage move) is the comparison.
import { createReadStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import path from "node:path";
import { Upload } from "tus-js-client";
import { makeSpeech } from "@/test/audio";
import { startCuttingProxy } from "@/test/cutting-proxy";
import { rssBytes, sampleRss } from "./lib/proc";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import type { Stack } from "./lib/stack";
import { num, sleep } from "./lib/stats";

const MB = 1024 * 1024;
const SPEECH = "This recording is long, and the hotel Wi-Fi drops now and then. The upload goes on from where it was.";

interface Trial {
  growthMb: number;
  beforeMb: number;
  peakMb: number;
  /** First byte to last byte sent. */
  uploadSeconds: number;
  /** Last byte sent to the outcome (ours: the episode made; bare: the last answer). */
  finishSeconds: number;
  resumedAt: number;
  cutAt: number;
  wireBytes: number;
}

/** One tus upload of `file` to `endpoint` through a proxy that drops the connection at 40 %. */
async function send(endpoint: string, targetPort: number, headers: Record<string, string>, file: string, size: number) {
  const proxy = await startCuttingProxy(targetPort);
  try {
    let cutAt = -1;
    let resumedAt = -1;
    let armed = false;
    const url = await new Promise<string>((resolve, reject) => {
      const upload = new Upload(createReadStream(file), {
        endpoint: `http://127.0.0.1:${proxy.port}${endpoint}`,
        uploadSize: size,
        chunkSize: 50 * MB,
        metadata: { filename: "long-recording.wav", filetype: "audio/wav" },
        headers,
        retryDelays: [0, 250, 500, 1000, 2000],
        onUploadUrlAvailable: () => {
          if (armed) return;
          armed = true;
          void proxy.cutAfter(Math.floor(size * 0.4)).then(({ at }) => (cutAt = at));
        },
        onAfterResponse: (req, res) => {
          if (req.getMethod() === "HEAD" && cutAt >= 0 && resumedAt < 0) resumedAt = Number(res.getHeader("Upload-Offset"));
        },
        onSuccess: () => resolve(upload.url!),
        onError: reject,
      });
      upload.start();
    });
    return { url, cutAt, resumedAt, wireBytes: proxy.forwarded };
  } finally {
    await proxy.close();
  }
}

async function trial(stack: Stack, which: "ours" | "bare", file: string, size: number): Promise<Trial & { outcome?: unknown }> {
  const ours = which === "ours";
  const pid = ours ? stack.webPid : stack.baselinePid;
  const port = Number(new URL(ours ? stack.webUrl : stack.baselineUrl).port);
  const headers: Record<string, string> = ours ? { cookie: stack.cookie, origin: stack.webUrl } : {};
  await sleep(500);
  const before = rssBytes(pid);
  const sampler = sampleRss(pid, 20);
  const began = Date.now();
  const sent = await send(ours ? "/api/v1/episodes/uploads" : "/tus", port, headers, file, size);
  let outcome: unknown;
  let stored: string;
  let madeAt = NaN;
  if (ours) {
    // The last PATCH answers once the episode exists; GET says so (and what it is).
    const res = await fetch(`${stack.webUrl}${new URL(sent.url).pathname}`, { headers: { cookie: stack.cookie } });
    outcome = await res.json();
    const result = (outcome as { state?: string; result?: { episodeId?: string } });
    if (result.state !== "done") throw new Error(`the upload ended ${JSON.stringify(outcome).slice(0, 300)}`);
    const { rows } = await stack.sql().query(`SELECT "sourceKey", "createdAt" FROM "Episode" WHERE id = $1`, [result.result!.episodeId]);
    stored = path.join(stack.dataDir, "objects", rows[0].sourceKey);
    madeAt = new Date(rows[0].createdAt).getTime();
  } else {
    stored = path.join(stack.dataDir, "bare-tus", new URL(sent.url).pathname.split("/").pop()!);
  }
  await sleep(200);
  const samples = sampler.stop();
  const peak = Math.max(...samples);
  // Server-side clocks of the same machine: when the last byte was written, when the row was made.
  const lastByteAt = (await stat(stored)).mtimeMs;
  return {
    growthMb: (peak - before) / MB,
    beforeMb: before / MB,
    peakMb: peak / MB,
    uploadSeconds: (lastByteAt - began) / 1000,
    finishSeconds: (madeAt - lastByteAt) / 1000,
    resumedAt: sent.resumedAt,
    cutAt: sent.cutAt,
    wireBytes: sent.wireBytes,
    outcome,
  };
}

export const scenario: Scenario = {
  number: 12,
  id: "resumable-upload",
  title: "resumable upload 1 GB, cut at 40 %",
  target: "web RSS grows ≤ 64 MB",
  async run({ resources, quick, log }) {
    const stack = await resources.stack();
    const bytes = quick ? 100 * MB : 1024 * MB - 1 * MB;
    // Stereo 16-bit 44.1 kHz: 176,400 bytes a second (1 GB ≈ 101 minutes).
    const seconds = Math.floor(bytes / 176_400);
    log(`  making a ${num(bytes / MB)} MB WAV…`);
    const wav = await makeSpeech(SPEECH, { format: "wav", seconds, channels: 2, name: `resumable-${Date.now()}.wav` });
    const size = (await stat(wav)).size;
    try {
      // Warm the routes with a small upload so first-use compilation is not counted.
      const small = await makeSpeech("A warm-up.", { format: "wav", name: `warm-resumable-${Date.now()}.wav` });
      await send("/api/v1/episodes/uploads", Number(new URL(stack.webUrl).port), { cookie: stack.cookie, origin: stack.webUrl }, small, (await stat(small)).size);
      await rm(small, { force: true });

      log("  through the app…");
      const ours = await trial(stack, "ours", wav, size);
      log("  through the bare tus server…");
      const bare = await trial(stack, "bare", wav, size);
      await stack.clearQueues();
      const resent = (t: Trial) => t.wireBytes - size;
      const rows: Row[] = [
        {
          case: `RSS growth during one ${num(size / MB)} MB upload, cut at 40 % and resumed`,
          unit: "MB",
          median: ours.growthMb,
          baseline: `bare tus server +${num(bare.growthMb)} MB`,
          target: "≤ 64 MB",
          pass: ours.growthMb <= 64,
          note: `${num(ours.beforeMb)} → ${num(ours.peakMb)} MB`,
        },
        {
          case: "upload time (first byte sent → last byte written, with the cut)",
          unit: "s",
          median: ours.uploadSeconds,
          baseline: `bare tus server ${num(bare.uploadSeconds)} s`,
          ratio: `${num(bare.uploadSeconds / ours.uploadSeconds * 100)} % of bare speed`,
          note: `${num(size / MB / ours.uploadSeconds)} MB/s vs bare ${num(size / MB / bare.uploadSeconds)} MB/s`,
        },
        {
          case: "finish (last byte written → episode made: sniff, hash, duration, move)",
          unit: "s",
          median: ours.finishSeconds,
          note: `${num(size / MB / ours.finishSeconds)} MB/s read back; the bare server does none of it`,
        },
        {
          case: "resumed from / sent again",
          unit: "MB",
          median: ours.resumedAt / MB,
          note: `cut at ${num(ours.cutAt / MB)} MB on the wire; ${num(resent(ours) / MB)} MB more than the file crossed the wire in all (bare: ${num(resent(bare) / MB)} MB)`,
        },
      ];
      return {
        rows,
        notes: [
          "Peak VmRSS of the web process sampled every 20 ms from the first byte until GET on the upload reported the episode made, minus its RSS just before.",
          "Times from the server's own clock: the stored file's mtime (last byte written; the move into storage keeps it) and the episode row's createdAt.",
          "The proxy cuts client → server bytes at 40 % of the file; tus-js-client asks HEAD for the offset and sends the rest.",
        ],
        data: { size, ours: { ...ours, outcome: undefined }, bare },
      };
    } finally {
      await rm(wav, { force: true });
    }
  },
};
