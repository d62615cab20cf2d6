// sseResponse: nothing runs until the body is read (so the live front can take the stream
// instead), and a body never read still runs the stream's cleanups.
import { describe, expect, it } from "vitest";
import { readSse } from "@/test/http";
import { openStreamCount, sseResponse, takeSseSource, type SseChannel } from "./sse";

const tick = () => new Promise((r) => setTimeout(r, 10));

describe("sseResponse", () => {
  it("runs at the first read: the messages, then the end", async () => {
    let ran = 0;
    const response = sseResponse(new AbortController().signal, (channel) => {
      ran++;
      channel.send({ event: "media", id: "1-0", data: { n: 1 } });
      channel.close();
    });
    await tick();
    expect(ran).toBe(0);
    expect(takeSseSource(response)).toBeDefined();
    expect(await readSse(response)).toEqual([{ event: "media", id: "1-0", data: { n: 1 } }]);
    expect(ran).toBe(1);
  });

  it("still cleans up when the client goes away before the body is read", async () => {
    const aborted = new AbortController();
    const closed: string[] = [];
    sseResponse(aborted.signal, (channel: SseChannel) => channel.onClose(() => closed.push("unsubscribed")));
    aborted.abort();
    await tick();
    expect(closed).toEqual(["unsubscribed"]);
    expect(openStreamCount()).toBe(0);
  });

  it("is told apart from every other answer", () => {
    expect(takeSseSource(Response.json({}))).toBeUndefined();
  });
});
