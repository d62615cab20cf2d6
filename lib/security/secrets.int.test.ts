// Secrets never leak: a full run (sign-up, sign-in, a wrong password, an API token,
// uploads, Gemini errors that echo the key back, retries, failures, sign-out) with a
// recognisable Gemini key, then every log line of the web handlers and of the worker
// process, every HTTP answer, every Redis key (job payloads, failure reasons, events)
// and the stored error messages are searched for the key, the session cookies and the
// API token.
import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { format } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DELETE as revokeAllSessionsRoute } from "@/app/api/account/sessions/route";
import { POST as createTokenRoute } from "@/app/api/account/tokens/route";
import { POST as signInRoute } from "@/app/api/auth/signin/route";
import { POST as signOutRoute } from "@/app/api/auth/signout/route";
import { POST as retryRoute } from "@/app/api/v1/media/[id]/retry/route";
import { GET as listMedia, POST as upload } from "@/app/api/v1/media/route";
import { GET as stream } from "@/app/api/v1/media/stream/route";
import { db } from "@/lib/db";
import { closeEventHub } from "@/lib/events/web";
import { createLogger, LOG_SINGLETON, type LogState } from "@/lib/log";
import { closeQueues } from "@/lib/jobs";
import { makeJpeg } from "@/test/test-images";
import { isTerminal } from "@/lib/media/progress";
import type { MediaView } from "@/lib/media/view";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { replaceSingleton } from "@/lib/singleton";
import { call, cookieOf, photoForm, readSse, signUp, type SseMessage } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { startWorker, type Child } from "@/test/processes";

const GEMINI_KEY = `AIzaSyCANARY-${Math.random().toString(36).slice(2, 12)}-do-not-log`;

let iso: IsolatedEnv;
let worker: Child;
let stub: http.Server;
const stubKeys: string[] = [];
const replies: { status: number; json: unknown }[] = [];
const logged: string[] = [];
const answers: string[] = [];

const caption = (text: string) => ({
  status: 200,
  json: { candidates: [{ content: { role: "model", parts: [{ text: JSON.stringify({ caption: text, tags: ["test", "photo", "stub"] }) }] }, finishReason: "STOP" }] },
});
// Upstream errors that quote the key back, as a careless proxy or API might.
const echo = (status: number, code: string) => ({ status, json: { error: { code: status, status: code, message: `Request with key ${GEMINI_KEY} failed (${code})` } } });

beforeAll(async () => {
  stub = http.createServer((req, res) => {
    stubKeys.push(String(req.headers["x-goog-api-key"] ?? ""));
    req.resume();
    req.on("end", () => {
      const reply = replies.shift() ?? caption("A photo described by the stub.");
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(JSON.stringify(reply.json));
    });
  });
  await new Promise<void>((resolve) => stub.listen(0, "127.0.0.1", resolve));
  iso = await isolate({
    GEMINI_API_KEY: GEMINI_KEY,
    GEMINI_BASE_URL: `http://127.0.0.1:${(stub.address() as AddressInfo).port}`,
    GEMINI_MODEL: "gemini-test",
    // Gemini alone captions, so its 400 fails the photo (with local after it, the local
    // describer would answer instead); it rests no longer than a retry's backoff.
    AI_PROVIDERS: "gemini",
    AI_CIRCUIT_OPEN_MS: "0",
  });
  // Everything the route handlers log in this process: the JSON logger (lib/log.ts keeps
  // its root logger as a process singleton; replaced here by one at debug level writing
  // into `logged`), and anything printed to the console.
  replaceSingleton<LogState>(LOG_SINGLETON, {
    root: createLogger({ level: "debug", destination: { write: (line: string) => void logged.push(line) } }),
    context: new AsyncLocalStorage(),
  });
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(format(...args)));
  }
  worker = await startWorker({ WORKER_CONCURRENCY: "1", LOG_LEVEL: "debug" }, { env: process.env });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await worker?.stop();
  await Promise.all([closeQueues(), closeEventHub(), closeRateLimiter()]);
  await db().$disconnect();
  await iso?.teardown();
  stub?.closeAllConnections();
  await new Promise<void>((resolve) => stub?.close(() => resolve()));
});

/** Records what the client saw (minus the one place each secret is meant to be handed out). */
async function record(res: Response, opts: { secretInBody?: boolean } = {}): Promise<Response> {
  const headers = [...res.headers].filter(([name]) => name !== "set-cookie").map(([k, v]) => `${k}: ${v}`);
  const body = res.headers.get("content-type")?.includes("event-stream") ? "" : await res.clone().text();
  answers.push([`HTTP ${res.status}`, ...headers, opts.secretInBody ? "(token creation body)" : body].join("\n"));
  return res;
}

const valueOf = (cookie: string) => cookie.slice(cookie.indexOf("=") + 1);

/**
 * The photos' last states, read from the stream until every photo is done or failed. Not
 * so within a minute (seen once in a full-suite run, not reproduced alone or under load),
 * it fails with what was seen and the worker's last lines instead of the test's own
 * timeout, which says nothing.
 */
async function finish(cookie: string, ids: string[]): Promise<Map<string, MediaView>> {
  const res = await call(stream, { path: `/api/v1/media/stream?ids=${ids.join(",")}`, cookie });
  const final = new Map<string, MediaView>();
  const isFinal = (id: string) => {
    const media = final.get(id);
    return media !== undefined && isTerminal(media.status);
  };
  const allFinal = (m: SseMessage) => {
    if (m.event === "media") final.set((m.data as MediaView).id, m.data as MediaView);
    return ids.every(isFinal);
  };
  let timer: NodeJS.Timeout | undefined;
  const minute = new Promise<void>((resolve) => (timer = setTimeout(resolve, 60_000)));
  await Promise.race([readSse(res, allFinal), minute]).finally(() => clearTimeout(timer));
  for (const media of final.values()) answers.push(JSON.stringify(media));
  const unfinished = ids.filter((id) => !isFinal(id));
  if (unfinished.length > 0) {
    const seen = unfinished.map((id) => `${id}: ${final.get(id)?.status ?? "no event"}`).join(", ");
    throw new Error(`photo(s) not finished within 60 s (${seen}); the worker's last output:\n${worker.output().slice(-4_000)}`);
  }
  return final;
}

async function dumpRedis(prefix: string): Promise<string> {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const out: string[] = [];
  try {
    for (const key of await redis.keys(`${prefix}:*`)) {
      const type = await redis.type(key);
      const value =
        type === "string" ? await redis.get(key)
        : type === "hash" ? await redis.hgetall(key)
        : type === "list" ? await redis.lrange(key, 0, -1)
        : type === "set" ? await redis.smembers(key)
        : type === "zset" ? await redis.zrange(key, 0, -1, "WITHSCORES")
        : type === "stream" ? await redis.xrange(key, "-", "+")
        : `(${type})`;
      out.push(`${key} ${JSON.stringify(value)}`);
    }
  } finally {
    await redis.quit();
  }
  return out.join("\n");
}

describe("secrets", () => {
  it("never appear in logs, job payloads, events or error messages", { timeout: 120_000 }, async () => {
    const email = "carol@example.com";
    const firstCookie = await signUp(email, "correct horse battery");
    const headers = { "content-type": "application/json" };
    await record(await call(signInRoute, { path: "/api/auth/signin", method: "POST", headers, body: JSON.stringify({ email, password: "wrong password!" }) }));
    const signedIn = await record(await call(signInRoute, { path: "/api/auth/signin", method: "POST", cookie: firstCookie, headers, body: JSON.stringify({ email, password: "correct horse battery" }) }));
    const cookie = cookieOf(signedIn);
    const created = await record(
      await call(createTokenRoute, { path: "/api/account/tokens", method: "POST", cookie, headers, body: JSON.stringify({ name: "backup script", scopes: ["read", "write"] }) }),
      { secretInBody: true },
    );
    const apiToken: string = (await created.json()).token;
    const bearer = { authorization: `Bearer ${apiToken}` };

    // Photo 1: Gemini first answers 500 quoting the key (retried), then a caption.
    // Photo 2: 400 quoting the key (fails for good); after Retry, 403 quoting it again.
    replies.push(echo(500, "INTERNAL"), caption("A first test photo."), echo(400, "INVALID_ARGUMENT"), echo(403, "PERMISSION_DENIED"));
    const one = await (await record(await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm([{ name: "one.jpg", bytes: await makeJpeg({ width: 300, height: 200, seed: 61 }) }]) }))).json();
    const first = await finish(cookie, [one.media[0].id]);
    const two = await (await record(await call(upload, { path: "/api/v1/media", method: "POST", headers: bearer, body: photoForm([{ name: "two.jpg", bytes: await makeJpeg({ width: 300, height: 200, seed: 62 }) }]) }))).json();
    const id2 = two.media[0].id as string;
    const second = await finish(cookie, [id2]);
    await record(await call(retryRoute, { path: `/api/v1/media/${id2}/retry`, method: "POST", headers: bearer, params: { id: id2 } }));
    const retried = await finish(cookie, [id2]);

    expect(first.get(one.media[0].id)?.status).toBe("done");
    expect(second.get(id2)?.status).toBe("failed");
    expect(second.get(id2)?.error).toMatch(/caption service refused this photo/);
    expect(retried.get(id2)?.status).toBe("failed");

    // Error paths of the web side.
    await record(await call(listMedia, { path: "/api/v1/media", headers: { authorization: `Bearer ${apiToken}x` } }));
    await record(await call(listMedia, { path: "/api/v1/media", headers: { authorization: `Basic ${apiToken}` } }));
    await record(await call(upload, { path: "/api/v1/media", method: "POST", cookie, headers: { origin: "https://evil.example" }, body: "x" }));
    await record(await call(createTokenRoute, { path: "/api/account/tokens", method: "POST", cookie, headers, body: "{not json" }));
    await record(await call(listMedia, { path: "/api/v1/media", cookie }));
    await record(await call(signOutRoute, { path: "/api/auth/signout", method: "POST", cookie }));
    await record(await call(revokeAllSessionsRoute, { path: "/api/account/sessions", method: "DELETE", cookie: firstCookie }));

    // The key really was in use (so finding nothing below means something).
    expect(stubKeys.filter((k) => k === GEMINI_KEY).length).toBeGreaterThanOrEqual(4);
    expect(worker.output()).toMatch(/"attempt":1,"kind":"transient".*"job attempt failed"/);
    expect(logged.join("\n")).toMatch(/security: refused a cross-site request/);

    const stored = await db().media.findMany({ select: { error: true } });
    const sessions = await db().session.findMany({ select: { id: true } });
    const tokens = await db().apiToken.findMany({ select: { tokenHash: true, hint: true } });
    const haystacks: Record<string, string> = {
      "worker output": worker.output(),
      "web handler logs": logged.join("\n"),
      "HTTP answers": answers.join("\n\n"),
      "Redis (jobs, events, limits)": await dumpRedis(iso.prefix),
      "stored error messages": stored.map((m) => m.error ?? "").join("\n"),
      "stored session ids and token rows": JSON.stringify([sessions, tokens]),
    };
    const secrets: Record<string, string> = {
      "the Gemini API key": GEMINI_KEY,
      "the first session cookie": valueOf(firstCookie),
      "the second session cookie": valueOf(cookie),
      "the API token": apiToken,
      "the API token without its prefix": apiToken.slice(3),
    };
    for (const [where, text] of Object.entries(haystacks)) {
      expect(text.length, `${where} captured nothing`).toBeGreaterThan(0);
      for (const [what, secret] of Object.entries(secrets)) {
        expect.soft(text.includes(secret), `${what} appears in ${where}`).toBe(false);
      }
    }
  });
});
