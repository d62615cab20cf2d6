// Hostile and odd requests to the jobs API, with the production defaults for addresses
// (nothing on our own network): each is refused with a status and a sentence, or becomes a
// failed job that says why — never a 500, never a request to an internal address.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createRedis } from "@/lib/redis";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { jobsClient, makeToken, type JobsClient } from "@/test/jobs";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import { closeFlowProducer } from "./queue";

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let alice: JobsClient;
let internal: http.Server;
let internalUrl: string;
let internalHits = 0;

beforeAll(async () => {
  // Stands for a service on our own network that a job must never reach.
  internal = http.createServer((_req, res) => {
    internalHits += 1;
    res.writeHead(200, { "content-type": "text/html" }).end("<html><body><p>Internal admin page with secrets.</p></body></html>");
  });
  await new Promise<void>((r) => internal.listen(0, "127.0.0.1", r));
  internalUrl = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;
  iso = await isolate({ AI_PROVIDERS: "local", RATE_LIMIT_BURST_SIZE: "100000", RATE_LIMIT_REQUESTS_PER_MINUTE: "1000000" });
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), { concurrency: 2, log: () => {} });
  alice = jobsClient({ token: (await makeToken(await signUp("alice@example.com"))).token });
});

afterAll(async () => {
  await runtime?.close();
  await Promise.all([closeFlowProducer(), closeRateLimiter()]);
  await closeConnections(lockRedis);
  internal?.closeAllConnections();
  await new Promise((r) => internal?.close(r));
  await iso?.teardown();
});

describe("hostile requests", () => {
  it("bodies that are not a job request: 400 or 422 naming what is wrong, never 500", async () => {
    const cases: [string, number, string?][] = [
      ["", 400],
      ["null", 422, "body"],
      ["[]", 422, "body"],
      ['"summarize"', 422, "body"],
      ['{"type":"summarize","payload":{"text":"hi"},"__proto__":{"isAdmin":true}}', 422, "__proto__"],
      ['{"type":"summarize","payload":{"text":{"a":{"a":{"a":{"a":"deep"}}}}}}', 422, "payload.text"],
      ['{"type":"summarize","payload":{"text":"hi"},"priority":1e309}', 422, "priority"],
      ['{"type":"summarize","payload":{"text":"hi"},"priority":"7"}', 422, "priority"],
      ['{"type":"summarize","payload":{"text":"\\u0000\\u0000"},"webhookUrl":"javascript:alert(1)"}', 422, "webhookUrl"],
      [JSON.stringify({ type: "batch_process", payload: { jobs: Array.from({ length: 101 }, () => ({ type: "summarize", payload: { text: "x" } })) } }), 422, "payload.jobs"],
    ];
    for (const [body, status, field] of cases) {
      const res = await alice.create(body);
      expect(res.status, body.slice(0, 80)).toBe(status);
      const { error } = await res.json();
      expect(error.message.length, body.slice(0, 80)).toBeGreaterThan(10);
      if (field) expect(Object.keys(error.fields ?? {}), body.slice(0, 80)).toContain(field);
    }
    expect(await db().job.count()).toBe(0);
  });

  it("a body over 10 MB is refused (413) without being read to the end", async () => {
    const big = JSON.stringify({ type: "summarize", payload: { text: "a".repeat(11 * 1024 * 1024) } });
    const res = await alice.create(big);
    expect(res.status).toBe(413);
    expect((await res.json()).error.message).toMatch(/larger than 10 MB/);
  });

  it("a webhook to our own network is refused when the job is made", async () => {
    for (const url of [`${internalUrl}/hook`, "http://169.254.169.254/latest/meta-data", "http://[::ffff:10.0.0.1]/x", "http://localhost:9/x"]) {
      const res = await alice.create({ type: "summarize", payload: { text: "Hello there." }, webhookUrl: url });
      expect(res.status, url).toBe(422);
      expect((await res.json()).error.fields.webhookUrl, url).toMatch(/public addresses/);
    }
  });

  it("a page on our own network becomes a failed job that says why; the internal service is never called", async () => {
    for (const [type, url] of [["extract_content", `${internalUrl}/admin`], ["summarize", "http://169.254.169.254/latest/meta-data/"]] as const) {
      const job = await alice.waitFor(await alice.submit({ type, payload: { url } }));
      expect(job.status, url).toBe("failed");
      expect(job.error, url).toMatchObject({ code: "invalid_input", retryable: false });
      expect(job.error!.message, url).toMatch(/not allowed|private|loopback|link-local|public/i);
      expect(job.attempts).toBe(1);
    }
    expect(internalHits).toBe(0);
  });
});
