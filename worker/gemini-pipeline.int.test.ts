// The worker with Gemini in its AI chain (real @google/genai SDK) against a stub Gemini on
// 127.0.0.1: a 429 makes the queue wait the provider's delay without spending an attempt,
// a 500 is retried, and the photo still ends done with Gemini's caption, not a local one.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getMedia } from "@/app/api/v1/media/[id]/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { GET as stream } from "@/app/api/v1/media/stream/route";
import { createAiChainFromEnv, createAiProvider } from "@/lib/ai";
import { env } from "@/lib/env";
import { makeJpeg } from "@/test/test-images";
import type { MediaView } from "@/lib/media/view";
import { createRedis } from "@/lib/redis";
import { call, photoForm, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { buildProcessors } from "./processors";
import { startWorkers, type WorkerRuntime } from "./runtime";
import { closeConnections, processorDeps } from "@/test/worker";

const FAKE_KEY = "AIzaSy-stub-key-for-tests";
const replies: { status: number; body: unknown }[] = [];
let requests = 0;
let server: http.Server;
let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests += 1;
      const reply = replies.shift() ?? { status: 500, body: { error: { code: 500, message: "no reply queued" } } };
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  iso = await isolate({
    GEMINI_API_KEY: FAKE_KEY,
    GEMINI_MODEL: "gemini-stub",
    GEMINI_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    // A 500 rests Gemini for every worker for AI_CIRCUIT_OPEN_MS (a minute by default);
    // 0 here, so the retry after the 500 is sent at once. (The 429 rests its own delay.)
    AI_CIRCUIT_OPEN_MS: "0",
  });
  lockRedis = createRedis("lock");
  runtime = startWorkers(
    buildProcessors(processorDeps(lockRedis, { ai: createAiProvider(env(), { chain: createAiChainFromEnv(env(), lockRedis) }) })),
    { concurrency: 2, log: () => {} },
  );
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
  server?.closeAllConnections();
  server?.close();
});

describe("worker with Gemini", () => {
  it("waits out a 429, retries a 500, and stores Gemini's caption", async () => {
    replies.push(
      {
        status: 429,
        body: {
          error: {
            code: 429,
            status: "RESOURCE_EXHAUSTED",
            message: "Resource has been exhausted (e.g. check quota).",
            details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1s" }],
          },
        },
      },
      { status: 500, body: { error: { code: 500, status: "INTERNAL", message: "Internal error" } } },
      {
        status: 200,
        body: {
          candidates: [
            {
              content: { role: "model", parts: [{ text: JSON.stringify({ caption: "A quiet harbour at dawn.", tags: ["Harbour", "dawn", "boats"] }) }] },
              finishReason: "STOP",
            },
          ],
        },
      },
    );
    const cookie = await signUp("gemini@example.com");
    const res = await call(upload, {
      path: "/api/v1/media",
      method: "POST",
      cookie,
      body: photoForm([{ name: "harbour.jpg", bytes: await makeJpeg({ width: 640, height: 480, seed: 5 }) }]),
    });
    expect(res.status).toBe(202);
    const id = ((await res.json()).media[0] as MediaView).id;

    const events = (await readSse(await call(stream, { path: `/api/v1/media/stream?ids=${id}`, cookie })))
      .filter((m) => m.event === "media")
      .map((m) => m.data as MediaView);
    expect(events.at(-1)?.status).toBe("done");
    expect(events.some((e) => e.stageLabel === "Waiting for the caption service")).toBe(true);
    expect(events.some((e) => e.stageLabel === "Waiting to retry")).toBe(true);
    expect(requests).toBe(3);

    const detail = await (await call(getMedia, { path: `/api/v1/media/${id}`, cookie, params: { id } })).json();
    expect(detail.analysis).toMatchObject({
      caption: "A quiet harbour at dawn.",
      tags: ["harbour", "dawn", "boats"],
      provider: "gemini:gemini-stub",
    });
    // The job payload carries ids only: no key, no bytes.
    const job = await (await import("@/lib/jobs")).findJob("analyze-media", { mediaId: id });
    expect(JSON.stringify(job?.data)).toBe(JSON.stringify({ mediaId: id }));
  });
});
