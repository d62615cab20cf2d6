// Photo captions go through the AI chain (issue 11: "the photo and podcast pipelines use
// the same chain"): with AI_PROVIDERS=openai,local and no Gemini key, the worker describes
// a photo through the OpenAI-compatible provider (real `openai` SDK against a stub on
// 127.0.0.1), sending the picture as a data: URL, and records who wrote the caption.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getMedia } from "@/app/api/v1/media/[id]/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { GET as stream } from "@/app/api/v1/media/stream/route";
import { createAiChainFromEnv, createAiProvider } from "@/lib/ai";
import { env } from "@/lib/env";
import type { MediaView } from "@/lib/media/view";
import { createRedis } from "@/lib/redis";
import { startAiStub, success, type AiStub } from "@/test/ai-stubs";
import { call, photoForm, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { makeJpeg } from "@/test/test-images";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "./processors";
import { startWorkers, type WorkerRuntime } from "./runtime";

let stub: AiStub;
let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;

beforeAll(async () => {
  stub = await startAiStub("openai");
  stub.fallback = () => success("openai", JSON.stringify({ caption: "Two boats moored in a calm harbour.", tags: ["Boats", "harbour", "calm"] }), { input: 900, output: 20 }, "gpt-4.1-mini-2025-04-14");
  iso = await isolate({ AI_PROVIDERS: "openai,local", OPENAI_API_KEY: "sk-stub-key-for-tests", OPENAI_BASE_URL: stub.baseUrl, OPENAI_MODEL: "gpt-4.1-mini" });
  lockRedis = createRedis("lock");
  const aiChain = createAiChainFromEnv(env(), lockRedis);
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis, { ai: createAiProvider(env(), { chain: aiChain }), aiChain })), { concurrency: 2, log: () => {} });
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
  await stub?.close();
});

describe("photo captions through the AI chain", () => {
  it("describes a photo with the OpenAI-compatible provider when Gemini has no key", async () => {
    const cookie = await signUp("chain-photo@example.com");
    const jpeg = await makeJpeg({ width: 640, height: 480, seed: 11 });
    const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm([{ name: "boats.jpg", bytes: jpeg }]) });
    expect(res.status).toBe(202);
    const id = ((await res.json()).media[0] as MediaView).id;

    const events = (await readSse(await call(stream, { path: `/api/v1/media/stream?ids=${id}`, cookie }))).filter((m) => m.event === "media");
    expect((events.at(-1)?.data as MediaView).status).toBe("done");

    const detail = await (await call(getMedia, { path: `/api/v1/media/${id}`, cookie, params: { id } })).json();
    expect(detail.analysis).toMatchObject({
      caption: "Two boats moored in a calm harbour.",
      tags: ["boats", "harbour", "calm"],
      provider: "openai:gpt-4.1-mini-2025-04-14",
    });

    // One chat completion carrying the downscaled JPEG as a data: URL and the caption prompt.
    expect(stub.requests).toHaveLength(1);
    const body = stub.requests[0].body as { model: string; messages: Array<{ role: string; content: Array<{ type: string; text?: string; image_url?: { url: string } }> }> };
    expect(body.model).toBe("gpt-4.1-mini");
    const parts = body.messages.find((m) => m.role === "user")!.content;
    const image = parts.find((p) => p.type === "image_url")!.image_url!.url;
    expect(image).toMatch(/^data:image\/jpeg;base64,/);
    const bytes = Buffer.from(image.slice(image.indexOf(",") + 1), "base64");
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(parts.find((p) => p.type === "text")?.text).toMatch(/Describe this photo/);
  });
});
