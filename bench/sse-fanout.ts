// Scenario 4 — SSE fan-out: 2,000 SSE streams open on one web process (a client fleet in
// a separate process, one socket per stream, each following one of 200 photos), events
// published for every photo each round. Measures delivery latency (publish → each
// stream), the web process's RSS per open stream, and that the web process holds exactly
// one Redis events subscription. The bare node:http SSE server runs the same procedure.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";
import { eventsKey, EVENTS_MAXLEN, type LiveEvent } from "@/lib/events";
import type { MediaView } from "@/lib/media/view";
import { photos } from "./lib/fixtures";
import { connectionPorts, rssBytes } from "./lib/proc";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import type { Stack } from "./lib/stack";
import { num, sleep, summarise, wallNow, type Summary } from "./lib/stats";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const KB = 1024;
const ROUND_MS = 500;
const BATCH = 20;

interface FleetReply {
  type: string;
  ok?: number;
  failed?: number;
  ms?: number;
  error?: string;
  records?: [number, string, number, number][];
}

function startFleet(): Promise<{ child: ChildProcess; ask(msg: object, expect: string): Promise<FleetReply> }> {
  const child = fork(path.join(HERE, "lib/sse-fleet.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const waiting = new Map<string, (reply: FleetReply) => void>();
  child.on("message", (reply: FleetReply) => {
    waiting.get(reply.type)?.(reply);
    waiting.delete(reply.type);
  });
  const ask = (msg: object, expect: string) =>
    new Promise<FleetReply>((resolve, reject) => {
      waiting.set(expect, resolve);
      child.once("exit", (code) => reject(new Error(`SSE fleet exited (${code})`)));
      if (Object.keys(msg).length) child.send(msg);
    });
  return ask({}, "ready").then(() => ({ child, ask }));
}

/** Mean RSS over a few samples, to smooth out a GC in progress. */
async function steadyRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssBytes(pid));
    await sleep(100);
  }
  return samples.reduce((a, b) => a + b, 0) / samples.length;
}

interface Measured {
  streams: number;
  openMs: number;
  rssPerStreamKb: number;
  rssGrowthMb: number;
  rssPeakMb: number;
  delivery: Summary;
  delivered: number;
  expected: number;
}

async function measure(opts: {
  stack: Stack;
  publisher: Redis;
  media: MediaView[];
  url: string;
  pid: number;
  streams: number;
  rounds: number;
  firstVersion: number;
  log: (line: string) => void;
  duringEvents?: () => Promise<void>;
}): Promise<Measured> {
  const { stack, publisher, media, pid } = opts;
  const fleet = await startFleet();
  try {
    // Warm-up: open and close a few streams so code paths are compiled before measuring.
    const warm = await startFleet();
    await warm.ask({ type: "open", url: opts.url, cookie: stack.cookie, streams: media.slice(0, 50).map((m) => [m.id]), parallel: 10 }, "opened");
    await warm.ask({ type: "close" }, "closed");
    await sleep(1_000);

    const before = await steadyRss(pid);
    const plan = Array.from({ length: opts.streams }, (_, i) => [media[i % media.length].id]);
    const opened = await fleet.ask({ type: "open", url: opts.url, cookie: stack.cookie, streams: plan, parallel: 25 }, "opened");
    if (opened.failed) throw new Error(`${opened.failed} of ${opts.streams} streams failed to open: ${opened.error}`);
    opts.log(`  ${opened.ok} streams open in ${Math.round(opened.ms! / 1000)} s`);
    await sleep(2_000);
    const afterOpen = await steadyRss(pid);

    const published = new Map<string, number>();
    let peak = afterOpen;
    const key = eventsKey(stack.prefix);
    // Events flow steadily, as independent workers publish them: every round (500 ms)
    // carries one event per photo, sent in 10 batches of 20, 50 ms apart.
    for (let r = 0; r < opts.rounds; r++) {
      const version = opts.firstVersion + r;
      for (let b = 0; b < media.length; b += BATCH) {
        const pipeline = publisher.pipeline();
        const at = wallNow();
        for (const m of media.slice(b, b + BATCH)) {
          const event: LiveEvent<"media"> = { kind: "media", ownerId: stack.userId, id: m.id, view: { ...m, status: "analysing", stage: "colours", progress: 0.45, version } };
          pipeline.xadd(key, "MAXLEN", "~", EVENTS_MAXLEN, "*", "e", JSON.stringify(event));
          published.set(`${m.id}:${version}`, at);
        }
        await pipeline.exec();
        if (r === 0 && b === 0) await opts.duringEvents?.();
        await sleep(ROUND_MS / (media.length / BATCH));
      }
      peak = Math.max(peak, rssBytes(pid));
    }
    await sleep(2_000);
    const { records = [] } = await fleet.ask({ type: "report" }, "report");
    const latencies: number[] = [];
    const seen = new Set<string>();
    for (const [stream, id, version, at] of records) {
      const sent = published.get(`${id}:${version}`);
      if (sent === undefined || seen.has(`${stream}:${id}:${version}`)) continue;
      seen.add(`${stream}:${id}:${version}`);
      latencies.push(at - sent);
    }
    return {
      streams: opts.streams,
      openMs: opened.ms!,
      rssPerStreamKb: (afterOpen - before) / opts.streams / KB,
      rssGrowthMb: (afterOpen - before) / KB / KB,
      rssPeakMb: peak / KB / KB,
      delivery: summarise(latencies),
      delivered: latencies.length,
      expected: opts.streams * opts.rounds,
    };
  } finally {
    await fleet.ask({ type: "close" }, "closed").catch(() => {});
    fleet.child.kill();
  }
}

export const scenario: Scenario = {
  number: 4,
  id: "sse-fanout",
  title: "SSE fan-out",
  target: "delivery p99 ≤ 100 ms; ≤ 30 KB RSS/stream (≤ 1.5× bare); one Redis subscription",
  async run({ resources, quick, log }) {
    const stack = await resources.stack();
    // Fresh server processes, so memory is measured from the same state whatever ran before.
    await stack.restartServers();
    const redis = await resources.redis();
    const publisher = await resources.client();
    const streams = quick ? 200 : 2_000;
    const rounds = quick ? 4 : 20;
    const pictures = await photos(200, 10_000, 64, 48);
    const media = await stack.upload(pictures.map((bytes, i) => ({ name: `fan-${i}.jpg`, bytes })));

    let subscriptions = { events: -1, total: -1 };
    const countSubscriptions = async () => {
      const ports = new Set(connectionPorts(stack.webPid, redis.port));
      const list = (await publisher.client("LIST")) as string;
      const mine = list.split("\n").filter((line) => ports.has(Number(/ addr=[^ ]*:(\d+) /.exec(` ${line}`)?.[1])));
      subscriptions = { events: mine.filter((l) => / name=framecast:events-subscribe /.test(` ${l} `)).length, total: mine.length };
    };

    log(`  Framecast: ${streams} streams…`);
    const ours = await measure({
      stack, publisher, media, url: `${stack.webUrl}/api/v1/media/stream`, pid: stack.webPid, streams, rounds, firstVersion: 1, log,
      duringEvents: countSubscriptions,
    });
    log(`  bare node:http: ${streams} streams…`);
    const bare = await measure({
      stack, publisher, media, url: `${stack.baselineUrl}/stream`, pid: stack.baselinePid, streams, rounds, firstVersion: 1_000, log,
    });

    const lost = ours.expected - ours.delivered;
    const rows: Row[] = [
      {
        case: `delivery latency, ${streams} streams`,
        unit: "ms",
        median: ours.delivery.median,
        p99: ours.delivery.p99,
        n: ours.delivered,
        baseline: `bare node SSE p50 ${num(bare.delivery.median)} / p99 ${num(bare.delivery.p99)} ms`,
        ratio: `p99 ${num(ours.delivery.p99 / bare.delivery.p99)}× bare`,
        target: "p99 ≤ 100 ms, none lost",
        pass: ours.delivery.p99 <= 100 && lost === 0,
        note: lost ? `${lost} of ${ours.expected} deliveries missing` : `${ours.delivered} deliveries`,
      },
      {
        case: "web RSS per open stream",
        unit: "KB",
        median: ours.rssPerStreamKb,
        baseline: `bare node SSE ${num(bare.rssPerStreamKb)} KB/stream`,
        ratio: `${num(ours.rssPerStreamKb / bare.rssPerStreamKb)}× bare`,
        target: "≤ 30 KB and ≤ 1.5× bare",
        pass: ours.rssPerStreamKb <= 30 && ours.rssPerStreamKb <= 1.5 * bare.rssPerStreamKb,
        note: `+${num(ours.rssGrowthMb)} MB for ${streams}; peak ${num(ours.rssPeakMb)} MB`,
      },
      {
        case: "Redis connections named events-subscribe (web)",
        unit: "",
        median: subscriptions.events,
        target: "exactly 1",
        pass: subscriptions.events === 1,
        note: `${subscriptions.total} Redis connections from the web process in all`,
      },
    ];
    return {
      rows,
      notes: [
        `${streams} streams from one client process (one socket each), each following one of ${media.length} photos; ${rounds} rounds of one event per photo every 500 ms, published steadily (20 events every 50 ms: ${(media.length * 1000) / ROUND_MS} events/s, ${(streams * 1000) / ROUND_MS} deliveries/s). RSS per stream is (RSS with all streams open − RSS before) ÷ streams, on freshly started servers after a 50-stream warm-up. Opening took ${Math.round(ours.openMs / 1000)} s (Framecast) vs ${Math.round(bare.openMs / 1000)} s (bare).`,
      ],
      data: { ours, bare, subscriptions, streams, rounds },
    };
  },
};
