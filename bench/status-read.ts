// Scenario 2 — status reads: GET one analysed photo's status and results
// (/api/v1/media/<id>: session check + one query with its analysis) and the polling
// fallback for 20 photos (/api/v1/media?ids=…: session check + one query), each at
// concurrency 1 (the latency a page sees) and 10 (throughput), against the bare
// node:http + pg baseline doing the same two queries; the CPU time each server spends per
// request; and, for scale, the floor: a route that does nothing (/api/health).
import { photos } from "./lib/fixtures";
import { load, type LoadResult } from "./lib/http-load";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import { num } from "./lib/stats";

const cpu = (r: LoadResult) => (r.cpuMsPerRequest === undefined ? "?" : r.cpuMsPerRequest.toFixed(2));

/** Issue 14, goal 2. */
const P50_MS_AT_C1 = 3;
const SHARE_OF_BARE_AT_C10 = 0.5;
const POLLED = 20;

export const scenario: Scenario = {
  number: 2,
  id: "status-read",
  title: "status read",
  target: `p50 ≤ ${P50_MS_AT_C1} ms at c=1; ≥ ${SHARE_OF_BARE_AT_C10 * 100} % of bare req/s at c=10`,
  async run({ resources, quick }) {
    const stack = await resources.stack();
    const seed = 200 + (Number.parseInt(resources.runId, 16) % 1000);
    // One photo, analysed for real (local analyser), so the read includes its results.
    await stack.clearQueues();
    const worker = await stack.startWorker();
    const [media] = await stack.upload([{ name: "status.jpg", bytes: (await photos(1, seed))[0] }]);
    const finished = await stack.waitUntilFinished([media.id]);
    await worker.stop();
    if (finished.get(media.id)?.status !== "done") throw new Error(`the photo ended ${finished.get(media.id)?.status}`);
    // The polling fallback follows unfinished photos: these stay queued (no worker runs now).
    const polled = await stack.upload((await photos(POLLED, seed + 1, 320, 240)).map((bytes, i) => ({ name: `poll-${i}.jpg`, bytes })));
    const ids = polled.map((m) => m.id).join(",");

    const headers = { cookie: stack.cookie };
    const seconds = quick ? 3 : 10;
    const rows: Row[] = [];
    const results: Record<string, unknown> = {};
    const cases = [
      { what: "GET /media/:id", ours: `/api/v1/media/${media.id}`, bare: `/status/${media.id}` },
      { what: `GET /media?ids= (${POLLED})`, ours: `/api/v1/media?ids=${ids}`, bare: `/status?ids=${ids}` },
    ];
    for (const c of cases) {
      for (const connections of [1, 10]) {
        const ours = await load({ url: `${stack.webUrl}${c.ours}`, connections, seconds, headers, serverPid: stack.webPid });
        const bare = await load({ url: `${stack.baselineUrl}${c.bare}`, connections, seconds, headers, serverPid: stack.baselinePid });
        if (ours.non2xx || bare.non2xx) throw new Error(`non-2xx answers: ${ours.non2xx} ours, ${bare.non2xx} bare`);
        results[`framecast ${c.what} c=${connections}`] = ours;
        results[`bare ${c.what} c=${connections}`] = bare;
        const share = ours.rps / bare.rps;
        rows.push({
          case: `${c.what}, c=${connections}`,
          unit: "ms",
          median: ours.p50,
          p99: ours.p99,
          n: ours.requests,
          baseline: `bare node:http + pg p50 ${num(bare.p50)} / p99 ${num(bare.p99)} ms`,
          ratio: connections === 1 ? `p50 ${num(ours.p50 / Math.max(bare.p50, 0.5))}× bare` : `${Math.round(share * 100)} % of bare req/s`,
          target: connections === 1 ? `p50 ≤ ${P50_MS_AT_C1} ms` : `≥ ${SHARE_OF_BARE_AT_C10 * 100} % of bare req/s`,
          pass: connections === 1 ? ours.p50 <= P50_MS_AT_C1 : share >= SHARE_OF_BARE_AT_C10,
          note: `${num(ours.rps)} vs ${num(bare.rps)} req/s; CPU ${cpu(ours)} vs ${cpu(bare)} ms/request`,
        });
      }
    }
    // The floor of any route here: /api/health runs Next's request handling and our route()
    // wrapper with no session and no query (its access line is at debug level). Against the
    // bare server answering the same JSON, it shows what Next alone costs per request.
    const floor = await load({ url: `${stack.webUrl}/api/health`, connections: 10, seconds, serverPid: stack.webPid });
    const bareFloor = await load({ url: `${stack.baselineUrl}/health`, connections: 10, seconds, serverPid: stack.baselinePid });
    results["framecast /api/health c=10"] = floor;
    results["bare /health c=10"] = bareFloor;
    rows.push({
      case: "floor: GET /api/health (no session, no query), c=10",
      unit: "ms",
      median: floor.p50,
      p99: floor.p99,
      n: floor.requests,
      baseline: `bare node:http p50 ${num(bareFloor.p50)} / p99 ${num(bareFloor.p99)} ms`,
      ratio: `${Math.round((floor.rps / bareFloor.rps) * 100)} % of bare req/s`,
      note: `informational: ${num(floor.rps)} vs ${num(bareFloor.rps)} req/s; CPU ${cpu(floor)} vs ${cpu(bareFloor)} ms/request`,
    });
    return {
      rows,
      notes: [`autocannon reports whole milliseconds; ${seconds} s per case after a 2 s warm-up.`],
      data: { mediaId: media.id, polled: polled.map((m) => m.id), seconds, results },
    };
  },
};
