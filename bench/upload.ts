// Scenario 1 — upload acceptance: POST one ~1 MB JPEG → 202, at concurrency 1 and 20,
// against `next start` and against the bare node:http baseline doing the same I/O
// (stream to disk with sha256, one INSERT, one queue add). No worker runs, so only
// acceptance is measured.
import { jpegOfSize, MULTIPART_TYPE, multipartBody } from "./lib/fixtures";
import { load, type LoadResult } from "./lib/http-load";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import { median, num, pairedRatios } from "./lib/stats";

const cpu = (r: LoadResult) => (r.cpuMsPerRequest === undefined ? "?" : r.cpuMsPerRequest.toFixed(1));

/** Issue 14, goal 3 (at c=20): throughput and tail against the bare server in the same run. */
const SHARE_OF_BARE_AT_C20 = 0.85;
const P99_OF_BARE_AT_C20 = 1.5;

export const scenario: Scenario = {
  number: 1,
  id: "upload",
  title: "upload acceptance",
  target: `p50 ≤ 30 ms at c=1; at c=20 ≥ ${SHARE_OF_BARE_AT_C20 * 100} % of bare req/s and p99 ≤ ${P99_OF_BARE_AT_C20}× bare`,
  async run({ resources, quick }) {
    const stack = await resources.stack();
    const jpeg = await jpegOfSize(1024 * 1024);
    const body = multipartBody([{ name: "bench.jpg", bytes: jpeg }]);
    // Origin as a browser sends it: the app refuses cookie-authenticated writes without one.
    const headers = { cookie: stack.cookie, "content-type": MULTIPART_TYPE, origin: stack.webUrl };
    const seconds = quick ? 3 : 10;
    const rows: Row[] = [];
    const data: Record<string, LoadResult | LoadResult[]> = {};
    const measure = async (side: "ours" | "bare", connections: number) =>
      side === "ours"
        ? load({ url: `${stack.webUrl}/api/v1/media`, method: "POST", connections, seconds, headers, body, serverPid: stack.webPid })
        : load({ url: `${stack.baselineUrl}/upload`, method: "POST", connections, seconds, headers, body, serverPid: stack.baselinePid });
    const checked = (connections: number, r: LoadResult) => {
      if (r.non2xx || r.errors) throw new Error(`c=${connections}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
      return r;
    };

    // c=1: one case each.
    const ours1 = checked(1, await measure("ours", 1));
    const bare1 = checked(1, await measure("bare", 1));
    data["framecast c=1"] = ours1;
    data["bare c=1"] = bare1;
    rows.push({
      case: "Framecast, c=1",
      unit: "ms",
      median: ours1.p50,
      p99: ours1.p99,
      n: ours1.requests,
      baseline: `bare node:http p50 ${num(bare1.p50)} / p99 ${num(bare1.p99)} ms`,
      ratio: `p50 ${num(ours1.p50 / bare1.p50)}× bare`,
      target: "p50 ≤ 30 ms",
      pass: ours1.p50 <= 30,
      note: `${num(ours1.rps)} vs ${num(bare1.rps)} req/s; CPU ${cpu(ours1)} vs ${cpu(bare1)} ms/upload`,
    });

    // c=20, the goal: back-to-back pairs, in alternating order, each pair's ratio taken
    // within the pair. Single 10 s cases of the same code read 76 % and 108 % of bare in two
    // runs back to back on this 2-core machine: the median pair is the figure.
    const pairs = quick ? 1 : 5;
    const ours20: LoadResult[] = [];
    const bare20: LoadResult[] = [];
    for (let i = 0; i < pairs; i++) {
      for (const side of i % 2 === 0 ? (["ours", "bare"] as const) : (["bare", "ours"] as const)) {
        (side === "ours" ? ours20 : bare20).push(checked(20, await measure(side, 20)));
      }
    }
    const shares = pairedRatios(ours20.map((r) => r.rps), bare20.map((r) => r.rps));
    const tails = pairedRatios(ours20.map((r) => r.p99), bare20.map((r) => r.p99));
    const share = shares.median;
    const tail = tails.median;
    const pct = (v: number) => `${Math.round(v * 100)} %`;
    data["framecast c=20"] = ours20;
    data["bare c=20"] = bare20;
    rows.push({
      case: "Framecast, c=20",
      unit: "ms",
      median: median(ours20.map((r) => r.p50)),
      p99: median(ours20.map((r) => r.p99)),
      n: ours20.reduce((sum, r) => sum + r.requests, 0),
      baseline: `bare node:http p50 ${num(median(bare20.map((r) => r.p50)))} / p99 ${num(median(bare20.map((r) => r.p99)))} ms`,
      ratio: `${pct(share)} of bare req/s; p99 ${num(tail)}× bare`,
      target: `≥ ${SHARE_OF_BARE_AT_C20 * 100} % of bare req/s, p99 ≤ ${P99_OF_BARE_AT_C20}× bare`,
      pass: share >= SHARE_OF_BARE_AT_C20 && tail <= P99_OF_BARE_AT_C20,
      note:
        `${pairs} pair(s), medians: ${num(median(ours20.map((r) => r.rps)))} vs ${num(median(bare20.map((r) => r.rps)))} req/s; ` +
        `CPU ${num(median(ours20.map((r) => r.cpuMsPerRequest ?? NaN)))} vs ${num(median(bare20.map((r) => r.cpuMsPerRequest ?? NaN)))} ms/upload` +
        (pairs > 1 ? `; pairs ${pct(shares.min)}–${pct(shares.max)} of bare, p99 ${num(tails.min)}×–${num(tails.max)}×` : ""),
    });
    return {
      rows,
      notes: [`${(jpeg.length / 1024 / 1024).toFixed(2)} MB JPEG per request; ${seconds} s per case after a 2 s warm-up; client (autocannon) on the same machine.`],
      data: { jpegBytes: jpeg.length, seconds, results: data },
    };
  },
};
