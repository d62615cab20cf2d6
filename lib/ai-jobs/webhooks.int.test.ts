// Completion webhooks end to end: a job made with an API token and a webhookUrl is POSTed to
// a receiver on 127.0.0.1 when it finishes, signed with the token's secret (verified by the
// standardwebhooks package, an independent implementation), retried after a 500 on its own
// queue, and every attempt is visible on the job.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Redis } from "ioredis";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { getQueue } from "@/lib/jobs";
import { createRedis } from "@/lib/redis";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { BIKE_SHARE } from "@/test/fixtures/articles";
import { signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { jobsClient, makeToken, type JobsClient, type MadeToken } from "@/test/jobs";
import { waitFor } from "@/test/processes";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import { closeFlowProducer } from "./queue";
import type { JobView } from "./view";

interface Received {
  at: number;
  path: string;
  headers: Record<string, string>;
  body: string;
}

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let receiver: http.Server;
let hookBase: string;
let received: Received[] = [];
let answers: number[] = [];
let token: MadeToken;
let alice: JobsClient;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ at: Date.now(), path: req.url ?? "", headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString("utf8") });
      const status = answers.shift() ?? 204;
      res.writeHead(status, { "content-type": "application/json" }).end(status >= 400 ? JSON.stringify({ message: "Not today." }) : "");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  iso = await isolate({
    AI_PROVIDERS: "local",
    AI_JOBS_ALLOW_PRIVATE_HOSTS: "true", // the receiver is on loopback
    RATE_LIMIT_BURST_SIZE: "100000",
    RATE_LIMIT_REQUESTS_PER_MINUTE: "1000000",
  });
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), { concurrency: 2, log: () => {} });
  const cookie = await signUp("alice@example.com");
  token = await makeToken(cookie);
  alice = jobsClient({ token: token.token });
});

afterAll(async () => {
  await runtime?.close();
  await Promise.all([closeFlowProducer(), closeRateLimiter()]);
  await closeConnections(lockRedis);
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await iso?.teardown();
});

beforeEach(() => {
  received = [];
  answers = [];
});

function verify(r: Received): { type: string; timestamp: string; data: JobView } {
  return new Webhook(token.webhookSecret).verify(r.body, r.headers) as { type: string; timestamp: string; data: JobView };
}

describe("completion webhooks", () => {
  it("the token's secret is shown once, when the token is made", () => {
    expect(token.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
  });

  it("a completed job is POSTed, signed; a 500 is retried a second later with the same webhook-id; attempts are on the job", async () => {
    answers = [500];
    const id = await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE, length: "short" }, webhookUrl: `${hookBase}/hooks/jobs?key=abc` });
    await waitFor("two delivery attempts", async () => received.length >= 2, 20_000);
    const [first, second] = received;
    expect(first.path).toBe("/hooks/jobs?key=abc");
    // Both verify with the token's secret (the standardwebhooks package's own check).
    const event = verify(second);
    expect(verify(first).type).toBe("job.completed");
    expect(event.type).toBe("job.completed");
    expect(event.data).toMatchObject({ job_id: id, status: "completed", progress: 100, webhook: true });
    expect((event.data.result as { summary: string }).summary.length).toBeGreaterThan(0);
    expect(second.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
    expect(second.at - first.at).toBeGreaterThanOrEqual(900);
    // Tampered bodies do not verify.
    expect(() => new Webhook(token.webhookSecret).verify(second.body.replace("completed", "failed"), second.headers)).toThrow();

    const job = await alice.waitFor(id, (j) => j.webhook_deliveries.length === 2);
    expect(job.webhook_deliveries).toEqual([
      expect.objectContaining({ attempt: 1, status: 500, ok: false, error: expect.stringMatching(/500/) }),
      expect.objectContaining({ attempt: 2, status: 204, ok: true, error: null }),
    ]);
    // The URL (and its key) is never echoed back in the job.
    expect(JSON.stringify(job)).not.toContain("key=abc");
  });

  it("failed and canceled jobs are announced too", async () => {
    const failed = await alice.submit({ type: "generate_podcast", payload: { text: BIKE_SHARE, showId: randomUUID() }, webhookUrl: `${hookBase}/failed` });
    const queue = getQueue("ai-jobs");
    await queue.pause();
    let canceled: string;
    try {
      canceled = await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE }, webhookUrl: `${hookBase}/canceled` });
      expect((await alice.cancel(canceled)).status).toBe(200);
    } finally {
      await queue.resume();
    }
    await waitFor("both webhooks", async () => received.length >= 2, 20_000);
    const byPath = Object.fromEntries(received.map((r) => [r.path, verify(r)]));
    expect(byPath["/failed"]).toMatchObject({ type: "job.failed", data: { job_id: failed, error: { code: "not_found" } } });
    expect(byPath["/canceled"]).toMatchObject({ type: "job.canceled", data: { job_id: canceled!, status: "canceled" } });
  });

  it("a receiver that refuses (4xx) is not retried; the refusal is recorded with its reason", async () => {
    answers = [410];
    const id = await alice.submit({ type: "summarize", payload: { text: "A short text." }, webhookUrl: `${hookBase}/gone` });
    const job = await alice.waitFor(id, (j) => j.webhook_deliveries.length === 1);
    expect(job.webhook_deliveries[0]).toMatchObject({ attempt: 1, status: 410, ok: false, error: expect.stringMatching(/refused.*410.*Not today/) });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(received).toHaveLength(1);
  });

  it("a token made before webhooks existed has no secret: its webhookUrl is refused up front", async () => {
    const old = await makeToken(await signUp("old@example.com"));
    await db().apiToken.updateMany({ where: { webhookSecret: old.webhookSecret }, data: { webhookSecret: null } });
    const res = await jobsClient({ token: old.token }).create({ type: "summarize", payload: { text: "Hi." }, webhookUrl: `${hookBase}/x` });
    expect(res.status).toBe(422);
    expect((await res.json()).error.fields.webhookUrl).toMatch(/new token/);
  });
});
