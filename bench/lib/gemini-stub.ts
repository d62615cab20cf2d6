// A stand-in for the Gemini API on 127.0.0.1: answers generateContent with a valid
// caption after a fixed delay (settable between trials), counts how many requests were in
// flight at once and notes when each arrived (performance.now(), this process's clock).
import http from "node:http";

const REPLY = JSON.stringify({
  candidates: [
    {
      content: { role: "model", parts: [{ text: JSON.stringify({ caption: "A generated benchmark photo.", tags: ["bench", "test", "pattern"] }) }] },
      finishReason: "STOP",
    },
  ],
});

export interface GeminiStub {
  url: string;
  /** How long each answer takes; read as each request arrives. */
  delayMs: number;
  requests: number;
  maxInFlight: number;
  /** performance.now() as each request's body had arrived, in order. */
  arrivals: number[];
  reset(): void;
  close(): Promise<void>;
}

export function startGeminiStub(port: number, delayMs: number): Promise<GeminiStub> {
  let inFlight = 0;
  const stub: GeminiStub = {
    url: `http://127.0.0.1:${port}`,
    delayMs,
    requests: 0,
    maxInFlight: 0,
    arrivals: [],
    reset() {
      stub.requests = 0;
      stub.maxInFlight = 0;
      stub.arrivals = [];
    },
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      stub.requests++;
      stub.arrivals.push(performance.now());
      stub.maxInFlight = Math.max(stub.maxInFlight, ++inFlight);
      setTimeout(() => {
        inFlight--;
        if (!/:generateContent$/.test(new URL(req.url ?? "/", stub.url).pathname)) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(REPLY);
      }, stub.delayMs);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(stub));
  });
}
