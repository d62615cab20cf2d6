// Scenario 7 — streaming upload of a 200 MB file: the web process's resident memory is
// sampled (VmRSS, every 20 ms) while one 200 MB photo streams in over one request; it
// should stay flat because the route streams to disk instead of buffering. The file has
// a real JPEG header (the magic-byte sniff passes) followed by filler; MAX_FILE_BYTES is
// raised for the bench app. The bare busboy server does the same upload for comparison.
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { BODY_END, jpegHeadedFile, photos, MULTIPART_TYPE, PART_TAIL, partHead } from "./lib/fixtures";
import { rssBytes, sampleRss } from "./lib/proc";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import { num, sleep } from "./lib/stats";

const MB = 1024 * 1024;

/** POSTs the file as one multipart part, streamed from disk; resolves with status and seconds. */
function streamUpload(url: string, cookie: string, origin: string, file: string, bytes: number): Promise<{ status: number; seconds: number; body: string }> {
  const head = partHead("big.jpg");
  const length = head.length + bytes + PART_TAIL.length + BODY_END.length;
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent: false, headers: { cookie, origin, "content-type": MULTIPART_TYPE, "content-length": length } }, (res) => {
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

async function measure(url: string, cookie: string, origin: string, pid: number, file: string, bytes: number) {
  await sleep(500);
  const before = rssBytes(pid);
  const sampler = sampleRss(pid, 20);
  const result = await streamUpload(url, cookie, origin, file, bytes);
  await sleep(200);
  const samples = sampler.stop();
  if (result.status !== 202) throw new Error(`${url} answered ${result.status}: ${result.body.slice(0, 300)}`);
  const peak = Math.max(...samples);
  return { growthMb: (peak - before) / MB, beforeMb: before / MB, peakMb: peak / MB, seconds: result.seconds, samples: samples.length };
}

export const scenario: Scenario = {
  number: 7,
  id: "streaming-upload",
  title: "streaming upload 200 MB",
  target: "web RSS grows ≤ 64 MB",
  async run({ resources }) {
    const stack = await resources.stack();
    const bytes = 200 * MB;
    const file = path.join(os.tmpdir(), `framecast-bench-${resources.runId}-200mb.jpg`);
    try {
      await jpegHeadedFile(file, bytes);
      // Warm the route once with a small upload so first-use compilation is not counted.
      await stack.upload([{ name: "warm.jpg", bytes: (await photos(1, 7, 64, 48))[0] }]);
      const ours = await measure(`${stack.webUrl}/api/v1/media`, stack.cookie, stack.webUrl, stack.webPid, file, bytes);
      const bare = await measure(`${stack.baselineUrl}/upload`, stack.cookie, stack.webUrl, stack.baselinePid, file, bytes);
      const rows: Row[] = [
        {
          case: "RSS growth during one 200 MB upload",
          unit: "MB",
          median: ours.growthMb,
          baseline: `bare busboy server +${num(bare.growthMb)} MB`,
          target: "≤ 64 MB",
          pass: ours.growthMb <= 64,
          note: `${num(ours.beforeMb)} → ${num(ours.peakMb)} MB; ${num(bytes / MB / ours.seconds)} MB/s vs bare ${num(bytes / MB / bare.seconds)} MB/s`,
        },
      ];
      return {
        rows,
        notes: ["Peak VmRSS of the web process sampled every 20 ms during the upload, minus its RSS just before."],
        data: { bytes, ours, bare },
      };
    } finally {
      await rm(file, { force: true });
    }
  },
};
