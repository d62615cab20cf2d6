// AI_MAX_CONCURRENT_REQUESTS holds across worker processes (issue 11's tests: "the
// cross-process AI cap with two workers"). Two real worker processes (worker/index.ts),
// six job slots between them, caption photos through the AI chain against one Gemini
// stand-in that answers slowly; the stand-in counts calls in flight. Each worker sends to
// its own path on the stand-in, so its log also says which process made each call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { closePublisher } from "@/lib/events/publish";
import { closeEventHub } from "@/lib/events/web";
import { closeQueues } from "@/lib/jobs";
import { geminiJson, startAiStub, type AiStub } from "@/test/ai-stubs";
import { makeBatch, statusCounts, uploadBatch } from "@/test/batch";
import { signUp } from "@/test/http";
import { isolate, TEST_DATABASE_URL, type IsolatedEnv } from "@/test/integration";
import { bounded, startWorker, waitFor, workerEnv, type Child } from "@/test/processes";

const CAP = 2;
const PHOTOS = 10;
/** Long enough that, with six slots, calls pile up at the cap. */
const ANSWER_MS = 600;
const KEY = "AIzaSy-stub-key-for-tests";

let stub: AiStub;
let iso: IsolatedEnv;
const workers: Child[] = [];

beforeAll(async () => {
  stub = await startAiStub("gemini");
  stub.fallback = () => ({ ...geminiJson({ caption: "A lighthouse on a rocky shore.", tags: ["lighthouse", "coast"] }), delayMs: ANSWER_MS });
  const shared = { GEMINI_API_KEY: KEY, GEMINI_MODEL: "gemini-stub", AI_PROVIDERS: "gemini,local", AI_MAX_CONCURRENT_REQUESTS: String(CAP) };
  iso = await isolate({ ...shared, GEMINI_BASE_URL: stub.baseUrl });
  for (const name of ["a", "b"]) {
    workers.push(
      await startWorker(
        {
          DATABASE_URL: TEST_DATABASE_URL,
          DATABASE_SCHEMA: iso.schema,
          REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
          QUEUE_PREFIX: iso.prefix,
          DATA_DIR: iso.dataDir,
          WORKER_CONCURRENCY: "3",
          LOCAL_VISION: "false",
          ...shared,
          GEMINI_BASE_URL: `${stub.baseUrl}/${name}`,
        },
        { name: `worker-${name}`, env: workerEnv({}) },
      ),
    );
  }
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => bounded(`${w.name} exit`, w.stop(10_000), 20_000)));
  await bounded("close queues", closeQueues());
  await bounded("close event hub", closeEventHub());
  await bounded("close publisher", closePublisher());
  await bounded("db disconnect", db().$disconnect());
  await bounded("teardown", iso?.teardown());
  await bounded("gemini stub", stub?.close());
}, 120_000);

describe("the AI cap across worker processes", () => {
  it(`never has more than ${CAP} calls in flight to a provider, whichever process makes them`, { timeout: 180_000 }, async () => {
    const cookie = await signUp("ai-cap@example.com");
    const ids = await uploadBatch(cookie, await makeBatch(PHOTOS, { width: 320, height: 240, seedBase: 300 }));
    await waitFor("every photo described", async () => (await statusCounts(db(), ids)).done === PHOTOS || null, 150_000, 250);

    const captions = stub.requests.filter((r) => r.path.includes(":generateContent"));
    expect(captions).toHaveLength(PHOTOS);
    // The cap was reached (the slots were busy) and never passed.
    expect(stub.maxInFlight).toBe(CAP);
    // Both processes called the provider.
    const byWorker = (name: string) => captions.filter((r) => r.path.startsWith(`/${name}/`)).length;
    expect(byWorker("a")).toBeGreaterThan(0);
    expect(byWorker("b")).toBeGreaterThan(0);
    expect(byWorker("a") + byWorker("b")).toBe(PHOTOS);
    // And every caption is Gemini's (none gave up waiting for a slot and went local).
    const analyses = await db().analysis.findMany({ select: { provider: true } });
    expect(new Set(analyses.map((a) => a.provider))).toEqual(new Set(["gemini:gemini-stub"]));
  });
});
