// Scenario 3 — progress latency: an event is published to the progress bus (XADD, exactly
// what a worker's publish() does) → the SSE client receives it. Publisher and client
// are both in the bench process, so one clock times both ends. Compared, in interleaved
// blocks, with the bare node:http SSE server fed by the same Redis stream, and with the
// floor: a raw XADD → XREAD on a second Redis connection.
import { Redis } from "ioredis";
import { eventsKey, publishEvent, type LiveEvent } from "@/lib/events";
import type { MediaView } from "@/lib/media/view";
import { photos } from "./lib/fixtures";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import { openSse, type SseStream } from "./lib/sse-client";
import { num, sleep, summarise } from "./lib/stats";

export const scenario: Scenario = {
  number: 3,
  id: "progress-latency",
  title: "progress latency",
  target: "p50 ≤ 10 ms, p99 ≤ 50 ms",
  async run({ resources, quick }) {
    const stack = await resources.stack();
    const { url: redisUrl } = await resources.redis();
    const publisher = await resources.client();
    const [media] = await stack.upload([{ name: "progress.jpg", bytes: (await photos(1, 300))[0] }]);
    const blocks = quick ? 2 : 8;
    const perBlock = 50;

    let version = 0;
    const waiting = new Map<number, (t: number) => void>();
    const onEvent = (data: string) => {
      const t = performance.now();
      const v = (JSON.parse(data) as { version: number }).version;
      waiting.get(v)?.(t);
      waiting.delete(v);
    };
    const event = (v: number): LiveEvent<"media"> => ({
      kind: "media",
      ownerId: stack.userId,
      id: media.id,
      view: { ...media, status: "analysing", stage: "thumbnail", stageLabel: "Making a thumbnail", progress: 0.2, version: v } satisfies MediaView,
    });
    /** Publishes one event and resolves with the ms until the client saw it. */
    const once = async () => {
      const v = ++version;
      const received = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`event ${v} not received within 5 s`)), 5_000);
        waiting.set(v, (t) => (clearTimeout(timer), resolve(t)));
      });
      const t0 = performance.now();
      await publishEvent(publisher, stack.prefix, event(v));
      return (await received) - t0;
    };

    const follow = async (base: string, path: string): Promise<SseStream> => {
      const stream = await openSse(`${base}${path}?ids=${media.id}`, stack.cookie, (e) => e.event === "media" && onEvent(e.data));
      await sleep(100); // the snapshot has arrived
      return stream;
    };

    // The floor: XADD on one connection, blocking XREAD on another.
    const reader = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const rawOnce = async () => {
      const key = eventsKey(stack.prefix);
      const last = (await publisher.xrevrange(key, "+", "-", "COUNT", 1))[0]?.[0] ?? "0-0";
      const read = reader.xread("BLOCK", 5_000, "STREAMS", key, last);
      await sleep(2);
      const t0 = performance.now();
      await publisher.xadd(key, "MAXLEN", "~", 10_000, "*", "e", JSON.stringify(event(0)));
      await read;
      return performance.now() - t0;
    };

    const samples = { ours: [] as number[], bare: [] as number[], raw: [] as number[] };
    for (let block = 0; block < blocks; block++) {
      for (const which of ["ours", "bare"] as const) {
        const stream = which === "ours" ? await follow(stack.webUrl, "/api/v1/media/stream") : await follow(stack.baselineUrl, "/stream");
        for (let i = 0; i < perBlock + (block === 0 ? 10 : 0); i++) {
          const ms = await once();
          if (!(block === 0 && i < 10)) samples[which].push(ms); // first 10 of the run warm up
          await sleep(5 + Math.random() * 10);
        }
        stream.close();
      }
      for (let i = 0; i < perBlock / 2; i++) {
        samples.raw.push(await rawOnce());
        await sleep(5);
      }
    }
    reader.disconnect();

    const ours = summarise(samples.ours);
    const bare = summarise(samples.bare);
    const raw = summarise(samples.raw);
    const rows: Row[] = [
      {
        case: "Framecast (next start)",
        unit: "ms",
        median: ours.median,
        p99: ours.p99,
        n: ours.n,
        baseline: `bare node SSE p50 ${num(bare.median)} / p99 ${num(bare.p99)} ms; raw XADD→XREAD p50 ${num(raw.median)} ms`,
        ratio: `p50 ${num(ours.median / bare.median)}× bare`,
        target: "p50 ≤ 10, p99 ≤ 50 ms",
        pass: ours.median <= 10 && ours.p99 <= 50,
      },
    ];
    return {
      rows,
      notes: [
        "Published from the bench process with lib/events publishEvent (the XADD a worker's publish() does) for a photo the bench user owns; the client holds the real SSE route. Same process, same clock.",
      ],
      data: { ours, bare, raw, samples },
    };
  },
};
