// Gemini's 429 retryDelay is honoured by every Gemini call of every worker (issue 13: a 429
// asking for 3 s was followed by a re-send 0.3 s later and four more requests within 0.5 s).
// Two worker runtimes, each with its own Redis connections and its own Gemini clients (as two
// worker processes would have), run photo captions and a vlog's storyboard writer against the
// Gemini stand-in; its request log shows nothing was sent before the delay had passed.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as mediaStream } from "@/app/api/v1/media/stream/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { GET as vlogStream } from "@/app/api/v1/vlogs/stream/route";
import { POST as createVlog } from "@/app/api/v1/vlogs/route";
import { createAiChainFromEnv, createAiProvider } from "@/lib/ai";
import { env } from "@/lib/env";
import type { MediaView } from "@/lib/media/view";
import { createRedis } from "@/lib/redis";
import type { VlogView } from "@/lib/vlogs/view";
import { geminiContent, geminiJson, rateLimited, startAiStub, type AiStub, type StubRequest } from "@/test/ai-stubs";
import { call, photoForm, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { makeJpeg } from "@/test/test-images";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "./processors";
import { startWorkers, type WorkerRuntime } from "./runtime";

const DELAY_S = 3;

let iso: IsolatedEnv;
let stub: AiStub;
let cookie: string;
const runtimes: WorkerRuntime[] = [];
const redises: Redis[] = [];
/** Jobs each runtime ran, to show both took part. */
const ran = [0, 0];

/** Captions for photos, titles and captions for storyboards: whatever the request's schema asks. */
function answer(req: StubRequest) {
  const content = geminiContent(req);
  const schema = JSON.stringify(content?.responseSchema ?? {});
  if (schema.includes('"captions"')) {
    const shots = (content?.prompt.match(/^\d+\. taken/gm) ?? []).length;
    return geminiJson({ title: "A day out", captions: Array.from({ length: shots }, (_, i) => `Shot ${i + 1} of the day`) });
  }
  return geminiJson({ caption: "A red kite over a green hill.", tags: ["kite", "hill"] });
}

beforeAll(async () => {
  stub = await startAiStub("gemini");
  stub.fallback = answer;
  iso = await isolate({ GEMINI_API_KEY: "AIzaSy-stub-key-for-tests", GEMINI_MODEL: "gemini-stub", GEMINI_BASE_URL: stub.baseUrl });
  for (const i of [0, 1]) {
    // Its own connections and clients, as a second worker process has: only Redis is shared.
    const lockRedis = createRedis("lock");
    redises.push(lockRedis);
    const aiChain = createAiChainFromEnv(env(), lockRedis);
    const processors = buildProcessors(processorDeps(lockRedis, { ai: createAiProvider(env(), { chain: aiChain }), aiChain }));
    for (const def of Object.values(processors)) {
      const process = def.process.bind(def);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- counting wrapper over every processor
      (def as any).process = (...args: any[]) => {
        ran[i] += 1;
        return (process as (...a: unknown[]) => Promise<unknown>)(...args);
      };
    }
    runtimes.push(startWorkers(processors, { concurrency: 1, log: () => {} }));
  }
  cookie = await signUp("ratelimit@example.com");
}, 120_000);

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await Promise.all(redises.slice(1).map((r) => r.quit()));
  await closeConnections(redises[0]);
  await stub?.close();
  await iso?.teardown();
}, 120_000);

async function uploadPhotos(seeds: number[]): Promise<string[]> {
  const files = await Promise.all(seeds.map(async (seed) => ({ name: `p${seed}.jpg`, bytes: await makeJpeg({ width: 480, height: 320, seed }) })));
  const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm(files) });
  expect(res.status).toBe(202);
  return ((await res.json()).media as MediaView[]).map((m) => m.id);
}

async function finished(ids: string[]): Promise<MediaView[]> {
  const events = await readSse(await call(mediaStream, { path: `/api/v1/media/stream?ids=${ids.join(",")}`, cookie }));
  return ids.map((id) => events.filter((m) => m.event === "media" && (m.data as MediaView).id === id).at(-1)!.data as MediaView);
}

describe("Gemini's retryDelay", () => {
  it("holds every Gemini call of every worker until the delay has passed", { timeout: 180_000 }, async () => {
    const [first] = await uploadPhotos([7]);
    expect((await finished([first]))[0].status).toBe("done");

    // The next Gemini call (the vlog's storyboard writer) is told to wait 3 s.
    stub.reply(rateLimited("gemini", DELAY_S));
    const created = await call(createVlog, {
      path: "/api/v1/vlogs",
      method: "POST",
      cookie,
      body: JSON.stringify({ mediaIds: [first], autoProgress: false }),
      headers: { "content-type": "application/json" },
    });
    expect(created.status).toBe(202);
    const vlogId = (await created.json()).vlogId as string;

    // Once a worker has read the 429 and recorded Gemini's delay, more work arrives for
    // both workers: two photos to caption, and the storyboard step waiting to retry.
    await expect.poll(() => stub.requests[1]?.endedAt, { timeout: 60_000 }).toBeDefined();
    const limited = stub.requests[1];
    expect(geminiContent(limited)?.prompt).toMatch(/on-screen captions for a short photo vlog/);
    const gate = createRedis("lock");
    await expect.poll(() => gate.pttl(`${env().QUEUE_PREFIX}:ai:circuit:gemini:wait`), { timeout: 10_000 }).toBeGreaterThan(0);
    await gate.quit();
    const more = await uploadPhotos([8, 9]);

    const photos = await finished(more);
    expect(photos.map((p) => p.status)).toEqual(["done", "done"]);
    const vlog = (await readSse(await call(vlogStream, { path: `/api/v1/vlogs/stream?ids=${vlogId}`, cookie }), (m) => m.event === "vlog" && ["storyboard_ready", "failed"].includes((m.data as VlogView).status)))
      .filter((m) => m.event === "vlog")
      .at(-1)!.data as VlogView;
    expect(vlog.status).toBe("storyboard_ready");
    expect(vlog.title).toBe("A day out");

    // The stand-in's log: the 429, then nothing until the delay it asked for had passed.
    const after = stub.requests.slice(2);
    expect(after.length).toBeGreaterThanOrEqual(3); // two captions and the storyboard's retry
    const earliest = Math.min(...after.map((r) => r.at));
    expect(earliest - limited.endedAt!).toBeGreaterThanOrEqual(DELAY_S * 1000);
    // Both workers took part.
    expect(ran.every((n) => n > 0)).toBe(true);
  });
});
