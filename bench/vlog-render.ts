// Scenario 9 — how long the product takes to render a 10-photo vlog, against a bare ffmpeg
// run producing the same output. Self-contained: generates its photos, uses a temporary
// local storage directory, needs only ffmpeg (no Postgres or Redis). Runs in `npm run bench`
// (3 runs, --quick 1) or on its own:
//
//   npx tsx bench/vlog-render.ts [--photos 10] [--runs 3] [--resolution 720p|1080p] [--style cinematic]
//
// "product" = the render step as the worker runs it (renderVideo): read each original from
// storage, crop/scale it with sharp, run ffmpeg as a child process with progress parsing,
// ffprobe the result, extract the poster, move both into storage.
// "ffmpeg only" = the identical ffmpeg command line on the already prepared photos.
// Runs alternate (product, ffmpeg, product, …) so a change in machine load hits both alike,
// and CPU seconds are reported beside wall time: on a shared machine the wall time of one
// run says more about the neighbours than about the code.
// On its own it prints a table and writes bench/results/vlog-render.json (the runner writes
// that file itself when it runs the scenario).
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import sharp from "sharp";
import { makeJpeg } from "@/test/test-images";
import { createLocalStorage } from "@/lib/storage/local";
import { buildRenderArgs, STILL_SCALE, wrapText } from "@/lib/vlogs/ffmpeg-args";
import { STYLES, type VlogResolution, type VlogStyle } from "@/lib/vlogs/plan";
import type { StoryboardDoc } from "@/lib/vlogs/storyboard";
import { buildTimeline } from "@/lib/vlogs/timeline";
import { renderVideo } from "@/worker/processors/vlog/render";
import type { Scenario } from "./lib/scenario";
import { num } from "./lib/stats";
import { timedFfmpeg } from "./lib/timed-ffmpeg";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

export interface VlogBenchOptions {
  photos: number;
  runs: number;
  resolution: VlogResolution;
  style: VlogStyle;
  log: (line: string) => void;
}

function ffmpeg(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (c) => (err += c));
    child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${err.slice(-500)}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];


export async function measureVlogRender({ photos: PHOTOS, runs: RUNS, resolution: RESOLUTION, style: STYLE, log }: VlogBenchOptions) {
  const root = await mkdtemp(path.join(os.tmpdir(), "vlog-bench-"));
  try {
    const storage = createLocalStorage(path.join(root, "data"));
    const tmpDir = path.join(root, "data", "tmp");
    mkdirSync(tmpDir, { recursive: true });

    // 10 photos of a typical phone size (4000×3000, ~2–4 MB JPEG), stored as originals.
    log(`Generating ${PHOTOS} photos…`);
    const originals: Record<string, string> = {};
    const ids: string[] = [];
    for (let i = 0; i < PHOTOS; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
      const bytes = await makeJpeg({ width: 4000, height: 3000, seed: 1000 + i * 31 });
      await storage.putBuffer(`originals/${id}`, bytes, "image/jpeg");
      originals[id] = `originals/${id}`;
      ids.push(id);
    }
    const doc: StoryboardDoc = {
      title: "Ten photos, one afternoon",
      style: STYLE,
      writer: "local",
      dropped: [],
      shots: ids.map((mediaId, i) => ({ mediaId, caption: `Afternoon — shot ${i + 1} of ${PHOTOS}, a caption of ordinary length`, duration: STYLES[STYLE].shotSeconds })),
    };
    const timeline = buildTimeline(doc, { resolution: RESOLUTION });

    const timed = timedFfmpeg(root);
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    };

    // Prepared inputs for the bare ffmpeg runs: exactly what the product hands ffmpeg.
    const work = path.join(root, "bare");
    mkdirSync(work);
    const [w, h] = [Math.round(timeline.width * STILL_SCALE), Math.round(timeline.height * STILL_SCALE)];
    const sources = [];
    const captions = [];
    for (const [i, shot] of timeline.shots.entries()) {
      const file = path.join(work, `shot-${i}.jpg`);
      await sharp(await storage.getBuffer(originals[shot.mediaId])).rotate().resize(w, h, { fit: "cover", position: "attention" }).jpeg({ quality: 92 }).toFile(file);
      sources.push({ kind: "still" as const, path: file });
      const caption = path.join(work, `caption-${i}.txt`);
      await writeFile(caption, wrapText(shot.caption, Math.round((timeline.width / timeline.height) * 25)));
      captions.push(caption);
    }
    const titleFile = path.join(work, "title.txt");
    await writeFile(titleFile, wrapText(timeline.title!.text, Math.round((timeline.width / timeline.height) * 15)));
    const args = buildRenderArgs({ timeline, sources, captionFiles: captions, titleFile, output: path.join(work, "out.mp4") });

    const product: { totalMs: number; ffmpegMs: number; cpuS: number }[] = [];
    const bare: { ms: number; cpuS: number }[] = [];
    for (let run = 0; run < RUNS; run++) {
      timed.take();
      const cpuBefore = cpu();
      const started = Date.now();
      const result = await renderVideo(
        {
          vlogId: "bench",
          generation: run,
          style: STYLE,
          timeline,
          originals,
          signal: new AbortController().signal,
          progress: async () => {},
          checkpoint: null,
          saveCheckpoint: async () => {},
        },
        { storage, ffmpeg: timed.bin, ffprobe: "ffprobe", tmpDir, veo: null },
      );
      const totalMs = Date.now() - started;
      product.push({ totalMs, ffmpegMs: result.ffmpegMs, cpuS: cpu() - cpuBefore + timed.take() });
      log(
        `product run ${run + 1}: ${(totalMs / 1000).toFixed(1)} s, ${product[run].cpuS.toFixed(1)} CPU s (video ${result.durationSec.toFixed(2)} s, ${result.width}×${result.height}, ${(result.bytes / 1e6).toFixed(1)} MB)`,
      );

      const bareStarted = Date.now();
      await ffmpeg(timed.bin, args);
      bare.push({ ms: Date.now() - bareStarted, cpuS: timed.take() });
      log(`ffmpeg-only run ${run + 1}: ${(bare[run].ms / 1000).toFixed(1)} s, ${bare[run].cpuS.toFixed(1)} CPU s`);
    }

    const result = {
      photos: PHOTOS,
      resolution: RESOLUTION,
      style: STYLE,
      videoSeconds: timeline.total,
      runs: RUNS,
      productMedianMs: median(product.map((p) => p.totalMs)),
      productFfmpegMedianMs: median(product.map((p) => p.ffmpegMs)),
      productCpuMedianS: median(product.map((p) => p.cpuS)),
      ffmpegOnlyMedianMs: median(bare.map((b) => b.ms)),
      ffmpegOnlyCpuMedianS: median(bare.map((b) => b.cpuS)),
      loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
      cpus: os.cpus().length,
      at: new Date().toISOString(),
    };
    return result;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export const scenario: Scenario = {
  number: 9,
  id: "vlog-render",
  title: "vlog render",
  target: "≥ 90 % of bare ffmpeg speed",
  async run({ quick, log }) {
    const r = await measureVlogRender({ photos: 10, runs: quick ? 1 : 3, resolution: "720p", style: "cinematic", log: (l) => log(`  ${l}`) });
    const share = (r.ffmpegOnlyMedianMs / r.productMedianMs) * 100;
    return {
      rows: [
        {
          case: `${r.photos}-photo ${r.resolution} vlog render (${num(r.videoSeconds)} s of video)`,
          unit: "s",
          median: r.productMedianMs / 1000,
          n: r.runs,
          baseline: `bare ffmpeg, same command ${num(r.ffmpegOnlyMedianMs / 1000)} s (CPU ${num(r.ffmpegOnlyCpuMedianS)} s)`,
          ratio: `${num(share)} % of bare speed`,
          target: "≥ 90 %",
          pass: share >= 90,
          note: `product CPU ${num(r.productCpuMedianS)} s; its ffmpeg encode ${num(r.productFfmpegMedianMs / 1000)} s`,
        },
      ],
      notes: ["The render step as the worker runs it (read originals, crop with sharp, ffmpeg with progress, probe, poster, store) against the identical ffmpeg command on the prepared photos; runs alternate."],
      data: r,
    };
  },
};

async function main() {
  const RUNS = Number(arg("runs", "3"));
  const RESOLUTION = arg("resolution", "720p") as VlogResolution;
  const result = await measureVlogRender({
    photos: Number(arg("photos", "10")),
    runs: RUNS,
    resolution: RESOLUTION,
    style: arg("style", "cinematic") as VlogStyle,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  console.log(`\n| measure (median of ${RUNS}) | wall | CPU |`);
  console.log("|---|---|---|");
  console.log(`| product render step (prep + ffmpeg + probe + poster + store) | ${(result.productMedianMs / 1000).toFixed(1)} s | ${result.productCpuMedianS.toFixed(1)} s |`);
  console.log(`| … of which the ffmpeg encode | ${(result.productFfmpegMedianMs / 1000).toFixed(1)} s | |`);
  console.log(`| bare ffmpeg, same command, same output | ${(result.ffmpegOnlyMedianMs / 1000).toFixed(1)} s | ${result.ffmpegOnlyCpuMedianS.toFixed(1)} s |`);
  console.log(`| video length | ${result.videoSeconds.toFixed(2)} s at ${RESOLUTION} |`);
  console.log(`| load average during the run (1/5/15 min, ${result.cpus} cores) | ${result.loadAverage.join(" / ")} |`);
  mkdirSync(path.join("bench", "results"), { recursive: true });
  writeFileSync(path.join("bench", "results", "vlog-render.json"), JSON.stringify(result, null, 2));
}

// Run directly (npx tsx bench/vlog-render.ts), not when the bench runner imports the scenario.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
