// Fault: SIGTERM to the web process (`next start`, built for real). An upload in flight
// still completes; live update streams are ended (browsers reconnect elsewhere) instead
// of holding the process open; new connections are refused; and a request that never
// ends cannot keep the process alive past WEB_SHUTDOWN_GRACE_MS. Temp files of an upload
// cut off that way are swept when a web process starts.
import http from "node:http";
import { readdir, utimes } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeJpeg } from "@/test/test-images";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { ensureNextBuild, startNext } from "@/test/next-app";
import { bounded, freePort, waitFor, type Child } from "@/test/processes";

let iso: IsolatedEnv;
let port: number;
let cookie: string;
const servers: Child[] = [];

function vars(extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: process.env.DATABASE_URL!,
    DATABASE_SCHEMA: iso.schema,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    QUEUE_PREFIX: iso.prefix,
    DATA_DIR: iso.dataDir,
    APP_URL: `http://127.0.0.1:${port}`,
    ...extra,
  };
}

/** A raw request on its own connection (no keep-alive pool), so "refused" means refused. */
function request(method: string, pathname: string, opts: { headers?: Record<string, string>; body?: Buffer } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: pathname, headers: opts.headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

async function start(extra: Record<string, string> = {}, name = "next") {
  // A server a failed test left running would hold the port.
  for (const old of servers) old.kill("SIGKILL");
  await Promise.all(servers.map((s) => s.exited));
  const server = await startNext(port, vars(extra), name);
  servers.push(server);
  // Ready once it serves a request (instrumentation has run by then).
  await waitFor("the web app to answer", async () => (await request("GET", "/api/v1/media")).status === 401, 60_000, 200);
  return server;
}

/** A multipart upload whose body is sent in two halves, the second when we say so. */
async function slowUpload(name: string, seed: number) {
  const boundary = `----framecast${seed}`;
  const file = await makeJpeg({ width: 640, height: 480, seed });
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const half = Math.floor(body.length / 2);
  let finishBody!: () => void;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/api/v1/media",
        agent: false,
        // Origin as a browser sends it: cookie-authenticated writes need it (CSRF check).
        headers: { cookie, origin: `http://127.0.0.1:${port}`, "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(body.length) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on("error", reject);
    req.write(body.subarray(0, half));
    finishBody = () => req.end(body.subarray(half));
  });
  response.catch(() => {});
  return { response, finish: () => finishBody() };
}

/** Opens the SSE stream for `ids` and collects its events until the server ends it. */
function followStream(ids: string[]) {
  const events: string[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: `/api/v1/media/stream?ids=${ids.join(",")}`, headers: { cookie }, agent: false }, (res) => {
      res.setEncoding("utf8");
      let buffer = "";
      res.on("data", (chunk) => {
        buffer += chunk;
        for (const m of buffer.matchAll(/^event: (\S+)$/gm)) events.push(m[1]);
        buffer = buffer.slice(buffer.lastIndexOf("\n\n") + 2);
      });
      res.on("end", () => resolve());
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
  return { events, ended };
}

const tempFiles = async () => (await readdir(path.join(iso.dataDir, "tmp")).catch(() => [])).sort();

beforeAll(async () => {
  const build = ensureNextBuild();
  if (build.built) console.log(`[fault:web-sigterm] built the app in ${build.ms} ms`);
  iso = await isolate();
  port = await freePort(3250, 3299);
}, 360_000);

afterAll(async () => {
  for (const server of servers) server.kill("SIGKILL");
  await bounded("servers exit", Promise.all(servers.map((s) => s.exited)));
  await db().$disconnect();
  await iso?.teardown();
}, 60_000);

describe("SIGTERM to the web process", () => {
  it("finishes the upload in flight, ends live streams, refuses new connections, and exits", { timeout: 120_000 }, async () => {
    const server = await start({ WEB_SHUTDOWN_GRACE_MS: "60000" }, "next-graceful");
    const signup = await request("POST", "/api/auth/signup", {
      headers: { "content-type": "application/json" },
      body: Buffer.from(JSON.stringify({ email: "web-sigterm@example.com", password: "a long enough password" })),
    });
    expect(signup.status).toBe(201);
    cookie = String(signup.headers["set-cookie"]).split(";")[0];

    // A photo nobody analyses (no worker here), so its stream would stay open forever.
    const first = await slowUpload("first.jpg", 7001);
    first.finish();
    const firstResult = await first.response;
    expect(firstResult.status).toBe(202);
    const firstId = JSON.parse(firstResult.body).media[0].id as string;
    const stream = followStream([firstId]);
    await waitFor("the stream's snapshot", async () => stream.events.includes("media"), 30_000);

    const inFlight = await slowUpload("in-flight.jpg", 7002);
    await waitFor("the upload to reach the server", async () => (await tempFiles()).length > 0, 30_000, 50);

    // A browser-like client that keeps a keep-alive connection busy (polling every
    // second, inside Node's 5 s keep-alive timeout): it must not hold the process open.
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const poll = () =>
      new Promise<number>((resolve) => {
        const req = http.get({ host: "127.0.0.1", port, path: "/api/v1/media", headers: { cookie }, agent: keepAlive }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode!));
        });
        req.on("error", () => resolve(0));
      });
    expect(await poll()).toBe(200);
    let polling = true;
    const poller = (async () => {
      while (polling) {
        await poll();
        await new Promise((r) => setTimeout(r, 1_000));
      }
    })();

    const termAt = Date.now();
    server.kill("SIGTERM");
    await stream.ended; // the live stream is ended by the server, not left hanging
    expect(stream.events.at(-1)).toBe("shutdown");
    await expect(request("GET", "/api/v1/media")).rejects.toThrow(/ECONNREFUSED/); // no new connections

    inFlight.finish();
    const result = await inFlight.response;
    expect(result.status).toBe(202); // the request in flight completed
    const id = JSON.parse(result.body).media[0].id as string;
    expect(await db().media.findUnique({ where: { id } })).toMatchObject({ status: "queued", originalName: "in-flight.jpg" });
    expect(await server.exited).toBe(143); // Next's clean exit on SIGTERM, not the grace deadline
    const exitMs = Date.now() - termAt;
    polling = false;
    await poller;
    keepAlive.destroy();
    expect(server.output()).toMatch(/"streams":1,.*"msg":"draining/);
    expect(await tempFiles()).toEqual([]);
    console.log(`[fault:web-sigterm] stream ended with "shutdown", new connection refused, in-flight upload answered ${result.status}; exited 143 ${exitMs} ms after SIGTERM`);
  });

  it("does not wait past the grace period for a request that never finishes; its temp file is swept at the next start", { timeout: 120_000 }, async () => {
    const server = await start({ WEB_SHUTDOWN_GRACE_MS: "2000" }, "next-hurried");
    const stuck = await slowUpload("never-finished.jpg", 7003);
    await waitFor("the upload to reach the server", async () => (await tempFiles()).length > 0, 30_000, 50);
    const rowsBefore = await db().media.count();

    const termAt = Date.now();
    server.kill("SIGTERM");
    expect(await server.exited).toBe(1); // the grace period ran out
    const exitMs = Date.now() - termAt;
    expect(server.output()).toMatch(/"graceSeconds":2,.*"msg":"requests still running after the grace period; exiting anyway"/);
    await expect(stuck.response).rejects.toThrow(); // the client sees the connection drop
    expect(await db().media.count()).toBe(rowsBefore); // no row for the cut-off upload

    // What it left: one temp file. A web process starting later removes it once it is old.
    const left = await tempFiles();
    expect(left).toHaveLength(1);
    const anHourAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(path.join(iso.dataDir, "tmp", left[0]), anHourAgo, anHourAgo);
    const next = await start({}, "next-after");
    expect(await tempFiles()).toEqual([]);
    expect(next.output()).toMatch(/"removed":1,.*"msg":"removed temp files/);
    console.log(`[fault:web-sigterm-grace] exited 1 ${exitMs} ms after SIGTERM (grace 2000 ms); 1 temp file left, swept at next start`);
  });
});
