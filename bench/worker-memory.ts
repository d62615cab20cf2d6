// Scenario 13 — the worker's memory: a soak of N real-size photos (4–16 MP, default 500;
// BENCH_SOAK_PHOTOS=80 for a shorter run) uploaded through the app and analysed by one
// worker process at concurrency 5, its RSS sampled from /proc every 250 ms. Run once per
// variant with a fresh worker: glibc's defaults (the baseline), then the usual cures alone
// (MALLOC_ARENA_MAX=2; libvips's cache off), then the settings the worker ships with
// (scripts/node-flags.mjs; libvips cache at sharp's default 50 MB), and those with one
// setting taken back at a time, so the table shows which matters. Prints RSS by progress,
// writes every sample to bench/results/worker-memory.json.
import os from "node:os";
import { makeJpeg } from "@/test/test-images";
import { rssBytes } from "./lib/proc";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import { median, num, sleep } from "./lib/stats";

const MB = 1024 * 1024;
const CONCURRENCY = 5;
const SAMPLE_MS = 250;
/** Phone-like sizes: 4, 8, 12 and 16 MP. */
const SIZES: [number, number][] = [
  [2448, 1632],
  [3264, 2448],
  [4000, 3000],
  [4896, 3264],
];

interface Variant {
  id: string;
  label: string;
  env: Record<string, string>;
  /** V8 flags after the ones the worker ships with (scripts/node-flags.mjs). */
  nodeArgs?: string[];
}

/** glibc's default arena limit on 64-bit: 8 per core. */
const GLIBC_DEFAULT_ARENAS = String(8 * os.cpus().length);
/** glibc's own mmap threshold (dynamic, from 128 KB up to 32 MB): "" leaves the setting out (scripts/node-flags.mjs). */
const GLIBC_MMAP = { MALLOC_MMAP_THRESHOLD_: "" };
const VARIANTS: Variant[] = [
  { id: "defaults", label: "glibc + libvips defaults", env: { MALLOC_ARENA_MAX: GLIBC_DEFAULT_ARENAS, ...GLIBC_MMAP, SHARP_CACHE_MB: "50" } },
  { id: "cache-off", label: "libvips cache off only", env: { MALLOC_ARENA_MAX: GLIBC_DEFAULT_ARENAS, ...GLIBC_MMAP, SHARP_CACHE_MB: "0" } },
  { id: "both", label: "MALLOC_ARENA_MAX=2 + cache off", env: { MALLOC_ARENA_MAX: "2", ...GLIBC_MMAP, SHARP_CACHE_MB: "0" } },
  // No overrides: what `npm start` / `npm run worker` run (scripts/node-flags.mjs; test/processes.ts starts it the same way).
  { id: "shipped", label: "shipped (MALLOC_ARENA_MAX=2, MALLOC_MMAP_THRESHOLD_=131072, 4 MB semi-spaces)", env: {} },
  // Each of the shipped settings taken back, one at a time.
  { id: "dynamic-mmap", label: "shipped, glibc's dynamic mmap threshold", env: GLIBC_MMAP },
  // 0 = V8's default, which on Node 24 lets each semi-space grow to 64 MB on a machine with this much memory.
  { id: "v8-young", label: "shipped, V8's default young generation (--max-semi-space-size=0)", env: {}, nodeArgs: ["--max-semi-space-size=0"] },
  // What the local vision model (lib/ai/vision, on by default without a provider key) holds.
  { id: "no-vision", label: "shipped, local vision model off (LOCAL_VISION=false)", env: { LOCAL_VISION: "false" } },
];

/**
 * The same picture with a JPEG comment (COM) segment naming `tag` after its APP segments:
 * different bytes (so no analysis is reused by hash), identical pixels and decode cost.
 */
function uniqueCopy(base: Buffer, tag: string): Buffer {
  let pos = 2;
  while (base[pos] === 0xff && base[pos + 1] >= 0xe0 && base[pos + 1] <= 0xef) pos += 2 + base.readUInt16BE(pos + 2);
  const text = Buffer.from(`framecast soak ${tag}`);
  const head = Buffer.from([0xff, 0xfe, 0, 0]);
  head.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([base.subarray(0, pos), head, text, base.subarray(pos)]);
}

interface Sample {
  /** ms since the variant's first upload. */
  t: number;
  rssMB: number;
  /** Photos done or failed when sampled. */
  finished: number;
}

interface VariantResult {
  id: string;
  label: string;
  env: Record<string, string>;
  photos: number;
  failed: number;
  seconds: number;
  startMB: number;
  /** Median RSS over the second half of the photos: where it settles. */
  plateauMB: number;
  peakMB: number;
  /** Median over the last quarter minus median over the second quarter: > 0 still growing. */
  lateGrowthMB: number;
  idleMB: number;
  byProgress: { percent: number; rssMB: number }[];
  samples: Sample[];
}

export const scenario: Scenario = {
  number: 13,
  id: "worker-memory",
  title: "worker memory soak",
  target: "RSS plateau ≤ 400 MB at concurrency 5",
  async run({ resources, quick, log }) {
    const count = Number(process.env.BENCH_SOAK_PHOTOS ?? (quick ? 30 : 500));
    if (!Number.isInteger(count) || count < 8) throw new Error(`BENCH_SOAK_PHOTOS must be a whole number ≥ 8 (got ${process.env.BENCH_SOAK_PHOTOS}).`);
    const wanted = (process.env.BENCH_SOAK_VARIANTS ?? "").split(",").filter(Boolean);
    const variants = wanted.length ? VARIANTS.filter((v) => wanted.includes(v.id)) : VARIANTS;
    if (!variants.length) throw new Error(`BENCH_SOAK_VARIANTS: choose from ${VARIANTS.map((v) => v.id).join(", ")}.`);

    const stack = await resources.stack();
    const pool = stack.sql();
    log(`  making ${SIZES.length * 2} base photos (4–16 MP)…`);
    const bases: Buffer[] = [];
    for (const [i, [width, height]] of [...SIZES, ...SIZES].entries()) bases.push(await makeJpeg({ width, height, seed: 900 + i, exif: true }));

    const results: VariantResult[] = [];
    for (const variant of variants) {
      await stack.clearQueues();
      const worker = await stack.startWorker({ WORKER_CONCURRENCY: String(CONCURRENCY), ...variant.env }, variant.nodeArgs);
      const pid = worker.pid;
      const startMB = rssBytes(pid) / MB;
      const samples: Sample[] = [];
      let finished = 0;
      const began = performance.now();
      const sampler = setInterval(() => {
        const rss = rssBytes(pid);
        if (Number.isFinite(rss)) samples.push({ t: Math.round(performance.now() - began), rssMB: rss / MB, finished });
      }, SAMPLE_MS);
      let failed = 0;
      try {
        const files = Array.from({ length: count }, (_, i) => ({
          name: `soak-${i}.jpg`,
          bytes: uniqueCopy(bases[i % bases.length], `${resources.runId}-${variant.id}-${i}`),
        }));
        const ids: string[] = [];
        // Uploaded in requests of 20 while the worker already runs, as people would.
        for (let i = 0; i < files.length; i += 20) ids.push(...(await stack.upload(files.slice(i, i + 20))).map((m) => m.id));
        const deadline = Date.now() + 120_000 + count * 6_000;
        for (;;) {
          const { rows } = await pool.query<{ status: string; n: number }>(
            `SELECT status::text AS status, count(*)::int AS n FROM "Media" WHERE id = ANY($1::uuid[]) GROUP BY 1`,
            [ids],
          );
          const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
          finished = (by.done ?? 0) + (by.failed ?? 0);
          failed = by.failed ?? 0;
          if (finished >= count) break;
          if (Date.now() > deadline) throw new Error(`${count - finished} of ${count} photos unfinished after ${Math.round((performance.now() - began) / 1000)} s`);
          await sleep(500);
        }
      } finally {
        clearInterval(sampler);
      }
      const seconds = (performance.now() - began) / 1000;
      await sleep(5_000); // idle: does it give memory back?
      const idleMB = rssBytes(pid) / MB;
      await worker.stop();

      const during = (from: number, to: number) => samples.filter((s) => s.finished >= from * count && s.finished < to * count).map((s) => s.rssMB);
      const secondHalf = during(0.5, 1.01);
      const byProgress = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((percent) => {
        const at = samples.find((s) => s.finished >= (percent / 100) * count) ?? samples[samples.length - 1];
        return { percent, rssMB: Math.round(at?.rssMB ?? NaN) };
      });
      const result: VariantResult = {
        ...variant,
        photos: count,
        failed,
        seconds,
        startMB,
        plateauMB: median(secondHalf.length ? secondHalf : samples.map((s) => s.rssMB)),
        peakMB: Math.max(...samples.map((s) => s.rssMB)),
        lateGrowthMB: median(during(0.75, 1.01)) - median(during(0.25, 0.5)),
        idleMB,
        byProgress,
        samples,
      };
      results.push(result);
      log(
        `  ${variant.label}: ${count} photos in ${num(seconds)} s (${failed} failed); RSS start ${num(startMB)} MB, plateau ${num(result.plateauMB)} MB, peak ${num(result.peakMB)} MB, idle ${num(idleMB)} MB`,
      );
      if (failed) throw new Error(`${failed} photo(s) failed in the "${variant.label}" run: the soak measures analysis, not failures.`);
    }

    // RSS by progress, one line per variant, for the notes and the console.
    const header = `RSS MB at % done: ${results[0].byProgress.map((p) => `${p.percent}%`).join(" / ")}`;
    const progressLines = results.map((r) => `${r.label}: ${r.byProgress.map((p) => p.rssMB).join(" / ")}`);
    for (const line of [header, ...progressLines]) log(`  ${line}`);

    const baseline = results.find((r) => r.id === "defaults");
    const rows: Row[] = results.map((r) => {
      const isShipped = r.id === "shipped";
      const rate = r.photos / r.seconds;
      return {
        case: `${r.photos} photos 4–16 MP, c=${CONCURRENCY}: ${r.label}`,
        unit: "MB",
        median: r.plateauMB,
        p99: r.peakMB,
        n: r.samples.length,
        baseline: baseline && r !== baseline ? `defaults plateau ${num(baseline.plateauMB)} MB` : undefined,
        ratio: baseline && r !== baseline ? `${Math.round((r.plateauMB / baseline.plateauMB) * 100)} % of defaults` : undefined,
        target: isShipped ? "plateau ≤ 400 MB" : undefined,
        pass: isShipped ? r.plateauMB <= 400 : undefined,
        note:
          `${num(rate)} photos/s` +
          (baseline && r !== baseline ? ` (${Math.round((rate / (baseline.photos / baseline.seconds)) * 100)} % of defaults)` : "") +
          `; late growth ${r.lateGrowthMB >= 0 ? "+" : ""}${num(r.lateGrowthMB)} MB; idle ${num(r.idleMB)} MB`,
      };
    });
    return {
      rows,
      notes: [
        `${count} different JPEGs (4, 8, 12 and 16 MP drawn with EXIF, each made unique by a comment segment), uploaded 20 per request to one worker at concurrency ${CONCURRENCY}, no AI provider; a fresh worker per variant, one after another. median = RSS plateau (median over the second half of the photos), p99 column = peak; late growth = last quarter's median minus the second quarter's.`,
        header,
        ...progressLines,
      ],
      data: { count, concurrency: CONCURRENCY, sampleMs: SAMPLE_MS, glibcDefaultArenas: GLIBC_DEFAULT_ARENAS, results },
    };
  },
};
