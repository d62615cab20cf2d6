// The SSE client fleet: a child process (forked with IPC) that holds thousands of SSE
// streams open, one socket each, and records when every event arrives (wall clock, so
// the parent can compare with its publish times). Messages:
//   {type:"open", url, cookie, streams: string[][], parallel} → {type:"opened", ok, failed, ms, error?}
//   {type:"report"} → {type:"report", records: [streamIndex, mediaId, version, receivedAt][]}
//   {type:"close"} → {type:"closed"}
import { openSse, type SseStream } from "./sse-client";
import { wallNow } from "./stats";

type Message =
  | { type: "open"; url: string; cookie: string; streams: string[][]; parallel: number }
  | { type: "report" }
  | { type: "close" };

const open: SseStream[] = [];
const records: [number, string, number, number][] = [];

async function openAll(msg: Extract<Message, { type: "open" }>) {
  const started = performance.now();
  let next = 0;
  let failed = 0;
  let error: string | undefined;
  const base = open.length;
  const lane = async () => {
    while (next < msg.streams.length) {
      const index = base + next;
      const ids = msg.streams[next++];
      try {
        const stream = await openSse(`${msg.url}?ids=${ids.join(",")}`, msg.cookie, (e) => {
          if (e.event !== "media") return;
          const at = wallNow();
          const { id, version } = JSON.parse(e.data) as { id: string; version: number };
          if (version > 0) records.push([index, id, version, at]);
        }, 120_000);
        open.push(stream);
      } catch (err) {
        failed++;
        error ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: msg.parallel }, lane));
  process.send!({ type: "opened", ok: msg.streams.length - failed, failed, ms: performance.now() - started, error });
}

process.on("message", (msg: Message) => {
  if (msg.type === "open") void openAll(msg);
  else if (msg.type === "report") {
    process.send!({ type: "report", records: records.splice(0) });
  } else if (msg.type === "close") {
    for (const s of open.splice(0)) s.close();
    process.send!({ type: "closed" }, () => process.exit(0));
  }
});
process.send!({ type: "ready" });
