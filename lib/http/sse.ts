// A small Server-Sent Events helper: framing, heartbeats, and cleanup that runs exactly
// once whether the server closes the stream, the client goes away, or the reader cancels.
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

export function sseResponse(
  signal: AbortSignal,
  run: (channel: SseChannel) => void | Promise<void>,
  opts: { pingMs?: number; retryMs?: number } = {},
): Response {
  const encoder = new TextEncoder();
  const cleanups: (() => void)[] = [];
  let closed = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;

  const finish = () => {
    if (closed) return;
    closed = true;
    for (const fn of cleanups.splice(0)) fn();
  };
  const write = (text: string) => {
    if (!closed) controller.enqueue(encoder.encode(text));
  };
  const channel: SseChannel = {
    send({ event, id, data }) {
      write(`${event ? `event: ${event}\n` : ""}${id ? `id: ${id}\n` : ""}data: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      if (closed) return;
      finish();
      controller.close();
    },
    onClose(fn) {
      if (closed) fn();
      else cleanups.push(fn);
    },
  };

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      write(`retry: ${opts.retryMs ?? 3_000}\n\n`);
      const ping = setInterval(() => write(": ping\n\n"), opts.pingMs ?? 15_000);
      channel.onClose(() => clearInterval(ping));
      const onAbort = () => channel.close();
      signal.addEventListener("abort", onAbort);
      channel.onClose(() => signal.removeEventListener("abort", onAbort));
      openStreams().add(channel);
      channel.onClose(() => openStreams().delete(channel));
      if (registry.framecastSseDraining) {
        channel.send({ event: "shutdown", data: { message: "The server is restarting. Reconnecting…" } });
        channel.close();
        return;
      }
      Promise.resolve()
        .then(() => run(channel))
        .catch((err) => {
          log().error({ err }, "sse stream failed");
          channel.send({ event: "error", data: { message: "The live update stream failed. Reconnecting…" } });
          channel.close();
        });
    },
    cancel() {
      finish();
    },
  });
  return new Response(stream, { headers: SSE_HEADERS });
}
