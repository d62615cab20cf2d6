import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError, RateLimitedError } from "@/lib/errors";
import { deliver, generateWebhookSecret, signWebhook, webhookBody, type DeliveryAttempt, type WebhookEvent } from "./standard";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 whose next answers the test scripts. */
let server: Server;
let origin: string;
let received: Received[] = [];
let answer: (res: ServerResponse, req: Received) => void = (res) => res.writeHead(204).end();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const r = { path: req.url!, headers: req.headers, body };
      received.push(r);
      answer(res, r);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections(); // including requests the "never answers" cases left hanging
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  received = [];
  answer = (res) => res.writeHead(204).end();
});

const secret = generateWebhookSecret();
const event: WebhookEvent = { id: "msg_job_42_completed", type: "job.completed", timestamp: new Date("2026-03-01T12:00:00Z") };
const data = { job_id: "job_42", status: "completed", title: `Tom & Jerry <"live"> 🎙️` };

/** The spec's check written out by hand: HMAC-SHA256 over "id.timestamp.body" with the decoded secret. */
function handVerify(key: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = String(headers["webhook-id"]);
  const ts = String(headers["webhook-timestamp"]);
  const expected = createHmac("sha256", Buffer.from(key.replace(/^whsec_/, ""), "base64")).update(`${id}.${ts}.${body}`).digest();
  return String(headers["webhook-signature"])
    .split(" ")
    .some((sig) => {
      const [version, value] = sig.split(",");
      const got = Buffer.from(value ?? "", "base64");
      return version === "v1" && got.length === expected.length && timingSafeEqual(got, expected);
    });
}

describe("Standard Webhooks signing", () => {
  it("makes whsec_ secrets of 32 random bytes", () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), "base64")).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it("delivers a POST that the standardwebhooks package and a hand-rolled check both accept", async () => {
    const result = await deliver(`${origin}/hooks/abc`, event, data, secret);
    expect(result).toMatchObject({ status: 204, webhookId: event.id });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req.path).toBe("/hooks/abc");
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.headers["webhook-id"]).toBe(event.id);
    expect(Number(req.headers["webhook-timestamp"])).toBeCloseTo(Date.now() / 1000, -1);
    expect(req.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(JSON.parse(req.body)).toEqual({ type: "job.completed", timestamp: "2026-03-01T12:00:00.000Z", data });

    const verified = new Webhook(secret).verify(req.body, req.headers as Record<string, string>);
    expect(verified).toEqual(JSON.parse(req.body));
    expect(handVerify(secret, req.headers, req.body)).toBe(true);
  });

  it("a tampered body, another secret or a replayed old timestamp fail verification", async () => {
    await deliver(`${origin}/hooks/abc`, event, data, secret);
    const [req] = received;
    const headers = req.headers as Record<string, string>;
    const tampered = req.body.replace("completed", "failed");
    expect(() => new Webhook(secret).verify(tampered, headers)).toThrow(WebhookVerificationError);
    expect(handVerify(secret, req.headers, tampered)).toBe(false);
    const other = generateWebhookSecret();
    expect(() => new Webhook(other).verify(req.body, headers)).toThrow(WebhookVerificationError);
    expect(handVerify(other, req.headers, req.body)).toBe(false);
    // Signed an hour ago: the receiver library refuses it (replay protection).
    const old = signWebhook(secret, event.id, new Date(Date.now() - 3_600_000), req.body);
    expect(() => new Webhook(secret).verify(req.body, { ...old })).toThrow(/too old/);
  });

  it("signs exactly what the standardwebhooks package signs", () => {
    const body = webhookBody(event, data);
    const at = new Date("2026-03-01T12:00:07.900Z");
    const ours = signWebhook(secret, event.id, at, body);
    expect(ours["webhook-timestamp"]).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(ours["webhook-signature"]).toBe(new Webhook(secret).sign(event.id, at, body));
  });

  it("keeps the body and id identical on a retry; only the send time is signed anew", async () => {
    let t = 1_780_000_000_000;
    const now = () => new Date((t += 60_000));
    await deliver(`${origin}/h`, event, data, secret, { now });
    await deliver(`${origin}/h`, event, data, secret, { now });
    const [a, b] = received;
    expect(b.body).toBe(a.body);
    expect(b.headers["webhook-id"]).toBe(a.headers["webhook-id"]);
    expect(Number(b.headers["webhook-timestamp"]) - Number(a.headers["webhook-timestamp"])).toBe(60);
    expect(handVerify(secret, b.headers, b.body)).toBe(true);
  });

  it("refuses a secret that is not a whsec_ secret", async () => {
    await expect(deliver(`${origin}/h`, event, data, "not-a-secret")).rejects.toBeInstanceOf(InvalidInputError);
    expect(received).toHaveLength(0);
  });
});

describe("deliver: what the receiver's answer means", () => {
  it("429 → RateLimitedError carrying Retry-After (seconds or an HTTP date)", async () => {
    answer = (res) => res.writeHead(429, { "retry-after": "7" }).end();
    const err = await deliver(`${origin}/h`, event, data, secret).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(7000);
    expect((err as Error).message).toMatch(/slow down.*7 seconds/);

    answer = (res) => res.writeHead(429, { "retry-after": new Date(Date.now() + 120_000).toUTCString() }).end();
    const dated = (await deliver(`${origin}/h`, event, data, secret).catch((e: unknown) => e)) as RateLimitedError;
    expect(dated.retryAfterMs).toBeGreaterThan(115_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it("5xx and 408 → a transient Error (not a domain error), so the worker retries with backoff", async () => {
    for (const status of [500, 502, 503, 408]) {
      answer = (res) => res.writeHead(status).end("upstream sad");
      const err = await deliver(`${origin}/h`, event, data, secret).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(InvalidInputError);
      expect(err).not.toBeInstanceOf(RateLimitedError);
      expect((err as Error).message).toBe(`The webhook endpoint answered ${status}; it will be tried again.`);
    }
  });

  it("other 4xx → InvalidInputError on webhookUrl with the receiver's reason", async () => {
    answer = (res) => res.writeHead(410, { "content-type": "application/json" }).end(JSON.stringify({ message: "endpoint disabled" }));
    const err = (await deliver(`${origin}/h?token=s3cret`, event, data, secret).catch((e: unknown) => e)) as InvalidInputError;
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.fields.webhookUrl).toBe("The webhook endpoint refused the delivery (410: endpoint disabled); check the URL and the receiver.");
    expect(err.message).not.toMatch(/s3cret|127\.0\.0\.1/);
  });

  it("does not follow a redirect: permanent, and the signed body goes nowhere else", async () => {
    answer = (res, req) => (req.path === "/moved" ? res.writeHead(301, { location: `${origin}/elsewhere` }).end() : res.writeHead(204).end());
    const err = await deliver(`${origin}/moved`, event, data, secret).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toMatch(/redirect \(301\)/);
    expect(received.map((r) => r.path)).toEqual(["/moved"]);
  });

  it("a receiver that does not answer in time → transient Error naming the timeout", async () => {
    answer = () => {}; // never answers
    const started = Date.now();
    const err = await deliver(`${origin}/slow`, event, data, secret, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((err as Error).message).toBe("The webhook endpoint did not answer within 1 second; it will be tried again.");
  });

  it("an unreachable receiver → transient Error with the network reason, no URL", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = (await deliver(`http://127.0.0.1:${port}/secret-path`, event, data, secret).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe("The webhook endpoint could not be reached (ECONNREFUSED); it will be tried again.");
    expect(err.message).not.toContain("secret-path");
  });

  it("the caller's abort (a cancelled job) is passed through as an abort, not a failure", async () => {
    answer = () => {};
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await deliver(`${origin}/slow`, event, data, secret, { signal: controller.signal, timeoutMs: 5_000 }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).name).toBe("AbortError");
  });

  it("reports every attempt in the shape of a WebhookDelivery row, failed ones included", async () => {
    const attempts: DeliveryAttempt[] = [];
    const onAttempt = (a: DeliveryAttempt) => void attempts.push(a);
    answer = (res) => res.writeHead(500).end();
    await deliver(`${origin}/h`, event, data, secret, { onAttempt }).catch(() => {});
    answer = (res) => res.writeHead(404).end();
    await deliver(`${origin}/h`, event, data, secret, { onAttempt }).catch(() => {});
    answer = () => {};
    await deliver(`${origin}/h`, event, data, secret, { onAttempt, timeoutMs: 200 }).catch(() => {});
    answer = (res) => res.writeHead(200).end("ok");
    await deliver(`${origin}/h`, event, data, secret, { onAttempt });
    expect(attempts.every((a) => Number.isInteger(a.durationMs) && a.durationMs >= 0)).toBe(true);
    expect(attempts.map(({ durationMs: _ms, ...a }) => a)).toEqual([
      { messageId: event.id, status: 500, ok: false, error: "The webhook endpoint answered 500; it will be tried again." },
      { messageId: event.id, status: 404, ok: false, error: "The webhook endpoint refused the delivery (404); check the URL and the receiver." },
      { messageId: event.id, status: null, ok: false, error: "The webhook endpoint did not answer within 1 second; it will be tried again." },
      { messageId: event.id, status: 200, ok: true, error: null },
    ]);
    // A cancelled job is not a failed delivery: nothing to record.
    attempts.length = 0;
    answer = () => {};
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await deliver(`${origin}/h`, event, data, secret, { onAttempt, signal: controller.signal }).catch(() => {});
    expect(attempts).toEqual([]);
  });
});
