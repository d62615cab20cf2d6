// A minimal Server-Sent Events client over node:http: one socket per stream (no pooling
// limits), events handed over as soon as their bytes arrive, nothing buffered beyond the
// current event. Used in-process and by the SSE client fleet.
import http from "node:http";

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

export interface SseStream {
  close(): void;
  /** Resolves when the server ends the stream or the socket closes. */
  closed: Promise<void>;
}

export function openSse(url: string, cookie: string, onEvent: (event: SseEvent) => void, timeoutMs = 30_000): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { cookie, accept: "text/event-stream" }, agent: false, timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => reject(new Error(`SSE ${url} answered ${res.statusCode}: ${body.slice(0, 300)}`)));
        return;
      }
      req.setTimeout(0);
      res.setEncoding("utf8");
      let buffer = "";
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = "message";
          let id: string | undefined;
          let data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("id: ")) id = line.slice(4);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (data) onEvent({ event, id, data });
        }
      });
      const closed = new Promise<void>((done) => {
        res.once("close", () => done());
        res.once("end", () => done());
      });
      res.on("error", () => {});
      resolve({ close: () => req.destroy(), closed });
    });
    req.on("timeout", () => req.destroy(new Error(`SSE ${url}: no response within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}
