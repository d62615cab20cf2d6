// A stand-in for an OpenAI-compatible chat completions endpoint on 127.0.0.1 (what the
// official `openai` SDK talks to with OPENAI_BASE_URL): holds every request for a fixed time,
// then answers with a valid summary as JSON, and counts how many requests were in flight at
// once. Used to hold many AI jobs in "running" at the same time.
import http from "node:http";

const REPLY_TEXT = JSON.stringify({
  summary: "A benchmark summary written by the stand-in provider.",
  keyPoints: ["The stand-in answered.", "It waited on purpose.", "Nothing was generated."],
});

export interface OpenAiStub {
  url: string;
  requests: number;
  inFlight: number;
  maxInFlight: number;
  reset(): void;
  close(): Promise<void>;
}

export function startOpenAiStub(port: number, holdMs: number): Promise<OpenAiStub> {
  const stub: OpenAiStub = {
    url: `http://127.0.0.1:${port}/v1`,
    requests: 0,
    inFlight: 0,
    maxInFlight: 0,
    reset() {
      stub.requests = 0;
      stub.maxInFlight = stub.inFlight;
    },
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method !== "POST" || !/\/chat\/completions$/.test(new URL(req.url ?? "/", "http://stub").pathname)) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      stub.requests++;
      stub.maxInFlight = Math.max(stub.maxInFlight, ++stub.inFlight);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        stub.inFlight--;
      };
      // A canceled job closes its request: it no longer counts as held.
      res.on("close", finish);
      setTimeout(() => {
        finish();
        if (res.destroyed) return;
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            id: "chatcmpl-bench",
            object: "chat.completion",
            created: Math.floor(Date.now() / 1000),
            model: "bench-stub",
            choices: [{ index: 0, message: { role: "assistant", content: REPLY_TEXT }, finish_reason: "stop" }],
            usage: { prompt_tokens: 200, completion_tokens: 40, total_tokens: 240 },
          }),
        );
      }, holdMs);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(stub));
  });
}
