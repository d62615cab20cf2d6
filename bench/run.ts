// `npm run bench [-- <scenario>…] [--quick]`: runs the benchmark scenarios (all, or the
// ones named by id or number), prints a table per scenario and a summary, writes
// bench/results/<id>.json and bench/results/summary.{md,json}, and stops everything it
// started. Scenarios live in bench/<id>.ts; a missing optional one is reported as skipped.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { machine, statusOf, textTable, writeReport, writeSummary, type ScenarioReport } from "./lib/report";
import type { Scenario, ScenarioOutcome } from "./lib/scenario";
import { Resources } from "./lib/stack";
import { killAll } from "@/test/processes";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** In run order. `optional` scenarios belong to features that may not be on this branch yet. */
const REGISTRY: { number: number; id: string; title: string; target: string; optional?: string }[] = [
  { number: 1, id: "upload", title: "upload acceptance", target: "p50 ≤ 30 ms at c=1; at c=20 ≥ 85 % of bare req/s and p99 ≤ 1.5× bare" },
  { number: 2, id: "status-read", title: "status read", target: "p50 ≤ 3 ms at c=1; ≥ 50 % of bare req/s at c=10" },
  { number: 3, id: "progress-latency", title: "progress latency", target: "p50 ≤ 10 ms, p99 ≤ 50 ms" },
  { number: 4, id: "sse-fanout", title: "SSE fan-out", target: "delivery p99 ≤ 100 ms; ≤ 30 KB RSS/stream (≤ 1.5× bare); one Redis subscription" },
  { number: 5, id: "queue-overhead", title: "queue overhead", target: "≥ 85 % of raw BullMQ jobs/s" },
  { number: 6, id: "photo-analysis", title: "photo analysis", target: "≥ 90 % of bare sharp photos/s" },
  { number: 7, id: "streaming-upload", title: "streaming upload 200 MB", target: "web RSS grows ≤ 64 MB" },
  { number: 8, id: "ai-concurrency", title: "AI concurrency", target: "≥ 4.5× faster than one-at-a-time with a 1 s AI call, ≥ 4.8× with a 5 s call" },
  { number: 9, id: "vlog-render", title: "vlog render", target: "≥ 90 % of bare ffmpeg speed", optional: "vlogs not available" },
  {
    number: 10,
    id: "jobs-api",
    title: "AI jobs API",
    target: "POST p50 ≤ 10 ms, p99 ≤ 50 ms at c=20; GET p50 ≤ 5 ms; 100 running at once; ≥ 50,000 local summarize jobs/h, 0 lost",
  },
  {
    number: 11,
    id: "podcast-pipeline",
    title: "podcast pipeline",
    target: "analyse + publish ≥ 90 % of bare ffmpeg; 500 MB WAV upload RSS ≤ +64 MB; 1,000-episode feed p50 ≤ 20 ms cold, ≤ 2 ms cached/304",
  },
  { number: 12, id: "resumable-upload", title: "resumable upload 1 GB, cut at 40 %", target: "web RSS grows ≤ 64 MB" },
  // BENCH_SOAK_PHOTOS (default 500) and BENCH_SOAK_VARIANTS (e.g. "defaults,shipped") shorten it.
  { number: 13, id: "worker-memory", title: "worker memory soak", target: "RSS plateau ≤ 400 MB at concurrency 5" },
  {
    number: 14,
    id: "local-ai",
    title: "keyless AI: local vision",
    target: "top-3 tag precision ≥ 0.8 on the labelled Debian photographs; ≤ 300 ms extra CPU per 12 MP photo at c=5; RSS bounded",
  },
  { number: 15, id: "search", title: "library search", target: "p50 ≤ 20 ms over 100,000 photos" },
  // BENCH_BROWSER_PHOTOS (default 500) and BENCH_BROWSER_WAIT_S (default 240) size it.
  {
    number: 16,
    id: "browser-upload",
    title: "500 photos dropped in the browser",
    target: "all rows drawn ≤ 1 s; bounded parallel uploads; JS heap ≤ 200 MB; no long task > 200 ms",
  },
  // Last: it leaves a million rows in the run's schema. BENCH_SCALE_ROWS (default 1,000,000) sizes it.
  {
    number: 17,
    id: "data-scale",
    title: "costs flat as data grows",
    target: "library pages, ?ids=, SSE snapshot, admin overview, search, reconciler ≤ 1.5× empty-database cost at 1,000,000 photos; no Seq Scan",
  },
];

const log = (line: string) => process.stderr.write(`\x1b[2m[bench] ${line}\x1b[0m\n`);

async function loadScenario(id: string): Promise<Scenario | null> {
  const file = path.join(HERE, `${id}.ts`);
  if (!existsSync(file)) return null;
  const mod = (await import(pathToFileURL(file).href)) as { scenario?: Scenario; default?: { scenario?: Scenario } };
  return mod.scenario ?? mod.default?.scenario ?? null;
}

async function main(argv: string[]) {
  const quick = argv.includes("--quick") || process.env.BENCH_QUICK === "1";
  const wanted = argv.filter((a) => !a.startsWith("--"));
  const unknown = wanted.filter((w) => !REGISTRY.some((s) => s.id === w || String(s.number) === w));
  if (unknown.length) {
    console.error(`Unknown scenario(s): ${unknown.join(", ")}. Choose from:\n${REGISTRY.map((s) => `  ${s.number}  ${s.id}`).join("\n")}`);
    process.exit(2);
  }
  const selected = wanted.length ? REGISTRY.filter((s) => wanted.includes(s.id) || wanted.includes(String(s.number))) : REGISTRY;

  const resources = new Resources();
  // The bench process's own env() (used by the worker runtime in queue-overhead) gets a
  // prefix apart from the app's, so its no-op workers never see the app's jobs.
  process.env.QUEUE_PREFIX = `${resources.prefix}-q`;
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log("interrupted: stopping what the bench started…");
    killAll();
    void resources.stop().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const startedAt = new Date();
  const m = machine();
  log(`${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, load ${m.loadAverage.join(" ")}${quick ? " — QUICK mode, figures not for publishing" : ""}`);

  const reports: ScenarioReport[] = [];
  try {
    for (const entry of selected) {
      const began = Date.now();
      const base = { number: entry.number, id: entry.id, title: entry.title, target: entry.target, startedAt: new Date().toISOString() };
      let outcome: ScenarioOutcome;
      let status: ScenarioReport["status"];
      try {
        const scenario = await loadScenario(entry.id);
        if (!scenario) {
          if (!entry.optional) throw new Error(`bench/${entry.id}.ts is missing`);
          outcome = { rows: [], skipped: `${entry.optional} (bench/${entry.id}.ts is not on this branch)` };
        } else {
          log(`${entry.number} ${entry.title}…`);
          outcome = await scenario.run({ resources, quick, log });
        }
        status = outcome.skipped ? "skipped" : statusOf(outcome.rows);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log(`${entry.number} ${entry.title} failed: ${message}`);
        if (err instanceof Error && err.stack && process.env.BENCH_VERBOSE) console.error(err.stack);
        outcome = { rows: [], notes: [`failed: ${message.split("\n")[0]}`] };
        status = "error";
      }
      const notes = [...(outcome.skipped ? [`skipped: ${outcome.skipped}`] : []), ...(outcome.notes ?? [])];
      const report: ScenarioReport = {
        ...base,
        status,
        rows: outcome.rows,
        notes,
        seconds: Math.round((Date.now() - began) / 100) / 10,
        machine: machine(),
        data: outcome.data,
      };
      reports.push(report);
      writeReport(report);
      console.log(`\n${textTable([report])}${notes.length ? `\n${notes.map((n) => `  · ${n}`).join("\n")}` : ""}\n`);
    }
  } finally {
    log("stopping everything the bench started…");
    await resources.stop();
  }

  const summary = writeSummary(reports, startedAt);
  console.log(`\nSummary (${path.relative(process.cwd(), summary)}):\n\n${textTable(reports)}\n`);
  const counts = (s: ScenarioReport["status"]) => reports.filter((r) => r.status === s).length;
  console.log(
    `${counts("pass")} met, ${counts("miss")} missed, ${counts("info")} informational, ${counts("skipped")} skipped, ${counts("error")} failed to run.`,
  );
  process.exit(counts("error") > 0 ? 1 : 0);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  killAll();
  process.exit(1);
});
