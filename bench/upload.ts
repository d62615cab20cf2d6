// Scenario 1 — upload acceptance: POST one ~1 MB JPEG → 202, at concurrency 1 and 20,
// against `next start` and against the bare node:http baseline doing the same I/O
// (stream to disk with sha256, one INSERT, one queue add). No worker runs, so only
// acceptance is measured.
import { jpegOfSize, MULTIPART_TYPE, multipartBody } from "./lib/fixtures";
import { load, type LoadResult } from "./lib/http-load";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import { num } from "./lib/stats";

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
    const data: Record<string, LoadResult> = {};
    for (const connections of [1, 20]) {
      const ours = await load({ url: `${stack.webUrl}/api/v1/media`, method: "POST", connections, seconds, headers, body, serverPid: stack.webPid });
      const bare = await load({ url: `${stack.baselineUrl}/upload`, method: "POST", connections, seconds, headers, body, serverPid: stack.baselinePid });
      data[`framecast c=${connections}`] = ours;
      data[`bare c=${connections}`] = bare;
      for (const r of [ours, bare]) {
        if (r.non2xx || r.errors) throw new Error(`c=${connections}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
      }
      const share = ours.rps / bare.rps;
      const tail = ours.p99 / bare.p99;
      const pass = connections === 20 ? share >= SHARE_OF_BARE_AT_C20 && tail <= P99_OF_BARE_AT_C20 : ours.p50 <= 30;
      rows.push({
        case: `Framecast, c=${connections}`,
        unit: "ms",
        median: ours.p50,
        p99: ours.p99,
        n: ours.requests,
        baseline: `bare node:http p50 ${num(bare.p50)} / p99 ${num(bare.p99)} ms`,
        ratio: connections === 20 ? `${Math.round(share * 100)} % of bare req/s; p99 ${num(tail)}× bare` : `p50 ${num(ours.p50 / bare.p50)}× bare`,
        target: connections === 20 ? `≥ ${SHARE_OF_BARE_AT_C20 * 100} % of bare req/s, p99 ≤ ${P99_OF_BARE_AT_C20}× bare` : "p50 ≤ 30 ms",
        pass,
        note: `${num(ours.rps)} vs ${num(bare.rps)} req/s; CPU ${cpu(ours)} vs ${cpu(bare)} ms/upload`,
      });
    }
    return {
      rows,
      notes: [`${(jpeg.length / 1024 / 1024).toFixed(2)} MB JPEG per request; ${seconds} s per case after a 2 s warm-up; client (autocannon) on the same machine.`],
      data: { jpegBytes: jpeg.length, seconds, results: data },
    };
  },
};
