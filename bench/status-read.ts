// Scenario 2 — status read: GET one analysed photo's status and results
// (/api/v1/media/<id>: session check + one query with its analysis), at concurrency 1
// (the latency a page sees) and 10, against the bare node:http + pg baseline doing the
// same two queries.
import { photos } from "./lib/fixtures";
import { load } from "./lib/http-load";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import { num } from "./lib/stats";

export const scenario: Scenario = {
  number: 2,
  id: "status-read",
  title: "status read",
  target: "p50 ≤ 5 ms",
  async run({ resources, quick }) {
    const stack = await resources.stack();
    // One photo, analysed for real (local analyser), so the read includes its results.
    await stack.clearQueues();
    const worker = await stack.startWorker();
    const [media] = await stack.upload([{ name: "status.jpg", bytes: (await photos(1, 200 + Number.parseInt(resources.runId, 16) % 1000))[0] }]);
    const finished = await stack.waitUntilFinished([media.id]);
    await worker.stop();
    if (finished.get(media.id)?.status !== "done") throw new Error(`the photo ended ${finished.get(media.id)?.status}`);

    const headers = { cookie: stack.cookie };
    const seconds = quick ? 3 : 10;
    const rows: Row[] = [];
    const results: Record<string, unknown> = {};
    for (const connections of [1, 10]) {
      const ours = await load({ url: `${stack.webUrl}/api/v1/media/${media.id}`, connections, seconds, headers });
      const bare = await load({ url: `${stack.baselineUrl}/status/${media.id}`, connections, seconds, headers });
      if (ours.non2xx || bare.non2xx) throw new Error(`non-2xx answers: ${ours.non2xx} ours, ${bare.non2xx} bare`);
      results[`framecast c=${connections}`] = ours;
      results[`bare c=${connections}`] = bare;
      rows.push({
        case: `Framecast, c=${connections}`,
        unit: "ms",
        median: ours.p50,
        p99: ours.p99,
        n: ours.requests,
        baseline: `bare node:http + pg p50 ${num(bare.p50)} / p99 ${num(bare.p99)} ms`,
        ratio: `p50 ${num(ours.p50 / Math.max(bare.p50, 0.5))}× bare`,
        target: connections === 1 ? "p50 ≤ 5 ms" : undefined,
        pass: connections === 1 ? ours.p50 <= 5 : undefined,
        note: `${num(ours.rps)} vs ${num(bare.rps)} req/s`,
      });
    }
    return {
      rows,
      notes: [`autocannon reports whole milliseconds; ${seconds} s per case after a 2 s warm-up.`],
      data: { mediaId: media.id, seconds, results },
    };
  },
};
