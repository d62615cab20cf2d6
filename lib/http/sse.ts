// A small Server-Sent Events helper: framing, heartbeats, and cleanup that runs exactly
// once whether the server closes the stream, the client goes away, or the reader cancels.
// A stream is written either into a web ReadableStream (the Response a route handler
// returns, when Next serves it) or straight into Node's response (the front,
// front.ts, which takes the stream's source from that Response and never reads it).
import type { ServerResponse } from "node:http";
import { log } from "@/lib/log";

export interface SseChannel {
  send(message: { event?: string; id?: string; data: unknown }): void;
  close(): void;
  /** Runs `fn` when the stream ends for any reason (at once if it already has). */
  onClose(fn: () => void): void;
}

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

type Run = (channel: SseChannel) => void | Promise<void>;
/** What a stream does once it is open: the part both ways of writing it share. */
export interface SseSource {
  run: Run;
}
/** Where a stream's text goes. */
interface SseSink {
  write(text: string): void;
  end(): void;
}

/** How long a browser waits before reconnecting, and how often a quiet stream says it is alive. */
const RETRY_MS = 3_000;
const PING_MS = 15_000;

// One heartbeat timer for all the streams of this module copy, not one per stream (at
// thousands of open streams a Timeout and a closure each add up, docs/performance.md, 4),
// pinging a fifteenth of them each second: all at once, thousands of writes in one turn
// of the event loop would hold up the live events behind them.
const SLOTS = 15;
const slots: Set<SseSink>[] = Array.from({ length: SLOTS }, () => new Set());
let beating = 0;
let nextSlot = 0;
let turn = 0;
let heartbeat: NodeJS.Timeout | null = null;
function startBeating(sink: SseSink): void {
  slots[nextSlot++ % SLOTS].add(sink);
  beating++;
  heartbeat ??= setInterval(() => {
    for (const each of slots[turn++ % SLOTS]) each.write(": ping\n\n");
  }, PING_MS / SLOTS).unref();
}
function stopBeating(sink: SseSink): void {
  if (!slots.some((slot) => slot.delete(sink))) return;
  if (--beating === 0 && heartbeat) {
    clearInterval(heartbeat);
    heartbeat = null;
  }
}

// Every open stream of this process, so a shutdown can end them (they never end by
// themselves while a photo is unfinished, and would hold `next start` open forever).
const registry = globalThis as unknown as { framecastSseStreams?: Set<SseChannel>; framecastSseDraining?: boolean };
const openStreams = () => (registry.framecastSseStreams ??= new Set());

/** Number of SSE streams this process is serving. */
export function openStreamCount(): number {
  return openStreams().size;
}

/**
 * Ends every open stream (and any opened from now on) with a "shutdown" event. Browsers'
 * EventSource reconnects by itself, to another web process; the snapshot it gets first
 * means nothing is missed.
 */
export function closeAllStreams(message: string): number {
  registry.framecastSseDraining = true;
  const streams = [...openStreams()];
  for (const channel of streams) {
    channel.send({ event: "shutdown", data: { message } });
    channel.close();
  }
  return streams.length;
}

/**
 * Opens a channel on `sink` and runs the source on it. Returns `gone`, to call when the
 * client has gone away (the cleanups run; nothing more is written).
 */
function openChannel(sink: SseSink, source: SseSource): () => void {
  // Kept to what an open stream must hold: at thousands of streams, every closure counts.
  let cleanups: (() => void)[] | null = [];
  const finish = () => {
    const fns = cleanups;
    cleanups = null;
    if (fns) for (const fn of fns) fn();
  };
  const channel: SseChannel = {
    send({ event, id, data }) {
      if (cleanups) sink.write(`${event ? `event: ${event}\n` : ""}${id ? `id: ${id}\n` : ""}data: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      if (!cleanups) return;
      finish();
      sink.end();
    },
    onClose(fn) {
      if (cleanups) cleanups.push(fn);
      else fn();
    },
  };

  sink.write(`retry: ${RETRY_MS}\n\n`);
  startBeating(sink);
  channel.onClose(() => stopBeating(sink));
  openStreams().add(channel);
  channel.onClose(() => openStreams().delete(channel));
  if (registry.framecastSseDraining) {
    channel.send({ event: "shutdown", data: { message: "The server is restarting. Reconnecting…" } });
    channel.close();
    return finish;
  }
  Promise.resolve()
    .then(() => source.run(channel))
    .catch((err) => {
      log().error({ err }, "sse stream failed");
      channel.send({ event: "error", data: { message: "The live update stream failed. Reconnecting…" } });
      channel.close();
    });
  return finish;
}

// The source of each SSE Response a handler made, for the front to take.
const sources = new WeakMap<Response, SseSource>();
const encoder = new TextEncoder();
const DISCARD: SseSink = { write() {}, end() {} };

/**
 * An SSE answer. Nothing runs until someone reads the body: Next does when it serves the
 * request; the front takes the source instead (takeSseSource) and never reads it.
 */
export function sseResponse(signal: AbortSignal, run: Run): Response {
  const source: SseSource = { run };
  let gone: (() => void) | null = null;
  const open = (sink: SseSink) => (gone ??= openChannel(sink, source));
  // A body never read (a HEAD answer, a client gone before the first read) still runs the
  // stream's cleanups, or its subscriptions would outlive it: opened on nothing, then ended.
  const drop = () => open(DISCARD)();
  signal.addEventListener("abort", drop, { once: true });
  const stream = new ReadableStream<Uint8Array>(
    {
      // highWaterMark 0: pull runs at the first read, not when the stream is made.
      pull(controller) {
        open({ write: (text) => controller.enqueue(encoder.encode(text)), end: () => controller.close() });
      },
      cancel: drop,
    },
    { highWaterMark: 0 },
  );
  const response = new Response(stream, { headers: SSE_HEADERS });
  sources.set(response, source);
  return response;
}

/** The stream behind an SSE Response from sseResponse (undefined for any other answer). */
export function takeSseSource(response: Response): SseSource | undefined {
  return sources.get(response);
}

/** Writes the stream to Node's response, whose head is already written. */
export function serveSse(res: ServerResponse, source: SseSource): void {
  const gone = openChannel({ write: (text) => void res.write(text), end: () => res.end() }, source);
  res.once("close", gone);
}
