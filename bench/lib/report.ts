// Tables and result files. Every scenario reports rows; the runner prints them, writes
// bench/results/<scenario>.json, and collects a summary table for docs/performance.md.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { round } from "./stats";

export interface Row {
  /** What this row measured, e.g. "Framecast, c=20" or "bare node:http, c=20". */
  case: string;
  unit: string;
  median?: number;
  p99?: number;
  /** Number of samples behind median/p99 (or runs behind a throughput figure). */
  n?: number;
  /** The same-run baseline this row is compared with, in words and figures. */
  baseline?: string;
  /** Free-form ratio text, e.g. "1.4× baseline" or "83 % of raw BullMQ". */
  ratio?: string;
  target?: string;
  /** true met, false missed, undefined informational. */
  pass?: boolean;
  note?: string;
}

export type Status = "pass" | "miss" | "info" | "skipped" | "error";

export interface ScenarioReport {
  number: number;
  id: string;
  title: string;
  target: string;
  status: Status;
  rows: Row[];
  notes: string[];
  startedAt: string;
  seconds: number;
  machine: Machine;
  /** Scenario-specific details (settings, raw samples when small). */
  data?: unknown;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  loadAverage: number[];
  commit: string;
}

export function machine(): Machine {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim();
    if (dirty) commit += "+dirty";
  } catch {
    // not a git checkout: fine
  }
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
    commit,
  };
}

export function statusOf(rows: Row[]): Status {
  if (rows.some((r) => r.pass === false)) return "miss";
  if (rows.some((r) => r.pass === true)) return "pass";
  return "info";
}

const fmt = (v: number | undefined, unit: string) => {
  if (v === undefined || Number.isNaN(v)) return "—";
  const r = round(v)!;
  return `${r.toLocaleString("en-US")} ${unit}`.trim();
};

const resultText = (pass: boolean | undefined) => (pass === undefined ? "" : pass ? "PASS" : "MISS");

function columns(report: ScenarioReport): string[][] {
  if (report.rows.length === 0) {
    return [[`${report.number}`, report.title, "—", "—", "—", "—", report.target, report.status.toUpperCase()]];
  }
  return report.rows.map((r) => [
    `${report.number}`,
    `${report.title}: ${r.case}`,
    fmt(r.median, r.unit),
    fmt(r.p99, r.unit),
    r.baseline ?? "",
    r.ratio ?? "",
    r.target ?? "",
    resultText(r.pass) + (r.note ? (r.pass === undefined ? r.note : ` (${r.note})`) : ""),
  ]);
}

const HEADER = ["#", "scenario: case", "median", "p99", "baseline (same run)", "ratio", "target", "result"];

export function textTable(reports: ScenarioReport[]): string {
  const rows = [HEADER, ...reports.flatMap(columns)];
  const widths = HEADER.map((_, i) => Math.min(60, Math.max(...rows.map((r) => r[i].length))));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

export function markdownTable(reports: ScenarioReport[]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const rows = reports.flatMap(columns);
  return [
    `| ${HEADER.join(" | ")} |`,
    `|${HEADER.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "results");

export function writeReport(report: ScenarioReport): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${report.id}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  return file;
}

export function writeSummary(reports: ScenarioReport[], startedAt: Date): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const m = machine();
  const notes = reports.flatMap((r) => r.notes.map((n) => `- **${r.number} ${r.title}**: ${n}`));
  const md = [
    `# Benchmark results`,
    ``,
    `Run ${startedAt.toISOString()} on commit ${m.commit}: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ` +
      `Node ${m.node}, ${m.os}; load average at the end ${m.loadAverage.join(" / ")}.`,
    ``,
    markdownTable(reports),
    ``,
    ...(notes.length ? [`Notes:`, ``, ...notes, ``] : []),
  ].join("\n");
  const file = path.join(RESULTS_DIR, "summary.md");
  writeFileSync(file, md);
  writeFileSync(
    path.join(RESULTS_DIR, "summary.json"),
    JSON.stringify({ startedAt, machine: m, scenarios: reports.map(({ data: _data, ...r }) => r) }, null, 2) + "\n",
  );
  return file;
}
