// The front on a real node:http server: stream paths are answered by it (refusals as JSON
// with the API's headers, the snapshot, live events with ids, `end`, a reconnect with
// Last-Event-ID), so are status reads, uploads (read from Node's own request: refusals
// mid-body still answered, a cut-off body leaves nothing behind), the jobs API and the
// public podcast feed (gzip when asked, 304), and every other request is left to whoever
// is behind it (Next in the app).
import { readdir } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeEventHub, eventHub } from "@/lib/events/web";
import { publish } from "@/lib/events/publish";
import { db } from "@/lib/db";
import { mediaLive } from "@/lib/media/live";
import { createMedia } from "@/lib/media/repository";
import { toMediaView, type MediaView } from "@/lib/media/view";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { readSse, signUp, type SseMessage } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { makeToken } from "@/test/jobs";
import { waitFor } from "@/test/processes";
import { makeJpeg } from "@/test/test-images";
import { env } from "@/lib/env";
import { uploadPolicy } from "@/lib/media/service";
import { ensureDefaultShow } from "@/lib/podcasts/shows";
import { closeConnections } from "@/test/worker";
import { serveAtFront } from "./front";
import { openStreamCount } from "./sse";

let iso: IsolatedEnv;
let server: http.Server;
let base: string;
let cookie: string;
let ownerId: string;
let photos: MediaView[];
const passedOn: string[] = [];

beforeAll(async () => {
  // Small limits, so a body past them is quick to send.
  iso = await isolate({ MAX_REQUEST_BYTES: String(2 * 1024 * 1024), MAX_FILE_BYTES: String(1024 * 1024) });
  cookie = await signUp("front@example.com");
  ownerId = (await db().user.findFirstOrThrow({ where: { email: "front@example.com" } })).id;
  photos = [];
  for (const n of [1, 2]) {
    const row = await createMedia(db(), { ownerId, originalName: `p${n}.jpg`, mime: "image/jpeg", size: 10, sha256: `sha-${n}`, storageKey: `k-${n}` });
    photos.push(toMediaView(row));
  }
  // What the app's web process does: the front first, Next for everything it leaves.
  server = http.createServer((req, res) => {
    if (serveAtFront(req, res)) return;
    passedOn.push(`${req.method} ${req.url}`);
    res.end("served by what is behind the front");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await closeRateLimiter();
  await closeEventHub();
  await closeConnections();
  await iso?.teardown();
});

const streamUrl = (ids: string[]) => `${base}/api/v1/media/stream?ids=${ids.join(",")}`;
const done = (view: MediaView, version: number): MediaView => ({ ...view, status: "done", stage: null, progress: 1, version });

describe("the front: streams", () => {
  it("refuses a stream without a session or token: 401 JSON with the API's headers, as the route does", async () => {
    const res = await fetch(streamUrl([photos[0].id]));
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect((await res.json()).error.code).toBe("unauthenticated");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("answers someone else's or a missing photo 404, and bad ids 400", async () => {
    const other = await signUp("other@example.com");
    expect((await fetch(streamUrl([photos[0].id]), { headers: { cookie: other } })).status).toBe(404);
    const none = await fetch(`${base}/api/v1/media/stream`, { headers: { cookie } });
    expect(none.status).toBe(400);
    expect((await none.json()).error.message).toBe("Pass the ids of the photos to follow as ?ids=<id>,<id>.");
  });

  it("leaves every other request to what is behind it: other paths, other methods", async () => {
    expect(await (await fetch(`${base}/api/v1/media/search?q=x`, { headers: { cookie } })).text()).toBe("served by what is behind the front");
    await fetch(`${base}/api/v1/media/stream/`, { headers: { cookie } });
    await fetch(`${base}/api/v1/media/stream?ids=${photos[0].id}`, { method: "POST", headers: { cookie } });
    await fetch(`${base}/api/v1/media/${photos[0].id}`, { method: "DELETE", headers: { cookie } });
    expect(passedOn).toEqual([
      "GET /api/v1/media/search?q=x",
      "GET /api/v1/media/stream/",
      `POST /api/v1/media/stream?ids=${photos[0].id}`,
      `DELETE /api/v1/media/${photos[0].id}`,
    ]);
  });

  it("sends the snapshot, then live events with ids, then `end` once every photo is finished", async () => {
    const res = await fetch(streamUrl(photos.map((p) => p.id)), { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    const reading = readSse(res);
    await waitFor("both photos followed", async () => eventHub().size === 2, 5_000);
    expect(openStreamCount()).toBe(1);
    const first = await publish(mediaLive, ownerId, done(photos[0], 1));
    // Stale (an older version) and another owner's event: neither is sent.
    await publish(mediaLive, ownerId, { ...photos[1], version: 0 });
    await publish(mediaLive, "00000000-0000-4000-8000-000000000000", done(photos[1], 7));
    const second = await publish(mediaLive, ownerId, done(photos[1], 1));
    const messages: SseMessage[] = await reading;
    expect(messages.map((m) => [m.event, m.id ?? null, (m.data as MediaView).status ?? null])).toEqual([
      ["media", null, "queued"],
      ["media", null, "queued"],
      ["media", first, "done"],
      ["media", second, "done"],
      ["end", null, null],
    ]);
    expect(messages.at(-1)!.data).toEqual({ reason: "all photos finished" });
    // The server ended it: nothing is left subscribed or counted.
    await waitFor("the stream cleaned up", async () => openStreamCount() === 0 && eventHub().size === 0, 5_000);
  });

  it("a reconnect with Last-Event-ID gets a fresh snapshot of the current state", async () => {
    await db().media.update({ where: { id: photos[0].id }, data: { status: "done", progress: 1, version: 5 } });
    const res = await fetch(streamUrl([photos[0].id]), { headers: { cookie, "last-event-id": "1-0" } });
    expect(res.status).toBe(200);
    const messages = await readSse(res);
    expect(messages.map((m) => m.event)).toEqual(["media", "end"]);
    expect(messages[0].data).toMatchObject({ id: photos[0].id, status: "done", version: 5 });
  });

  it("takes an API token, and cleans up when the client goes away", async () => {
    const { token } = await makeToken(cookie, ["read"]);
    const res = await fetch(streamUrl([photos[1].id]), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const [snapshot] = await readSse(res, () => true); // reads the snapshot, then hangs up
    expect(snapshot.data).toMatchObject({ id: photos[1].id });
    await waitFor("the stream cleaned up", async () => openStreamCount() === 0 && eventHub().size === 0, 5_000);
  });
});

describe("the front: status reads, uploads and jobs", () => {
  it("answers one photo's status and ?ids= with the route's JSON and the app's headers", async () => {
    const res = await fetch(`${base}/api/v1/media/${photos[1].id}`, { headers: { cookie, "x-request-id": "front-read" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("front-read");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    const text = await res.text();
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
    expect(JSON.parse(text)).toMatchObject({ id: photos[1].id, status: expect.any(String) });
    const poll = await fetch(`${base}/api/v1/media?ids=${photos[1].id}`, { headers: { cookie } });
    expect((await poll.json()).media.map((m: MediaView) => m.id)).toEqual([photos[1].id]);
    // Someone else's photo is a 404, like a missing one; no session is a 401.
    const other = await signUp("reader@example.com");
    expect((await fetch(`${base}/api/v1/media/${photos[1].id}`, { headers: { cookie: other } })).status).toBe(404);
    expect((await fetch(`${base}/api/v1/media/${photos[1].id}`)).status).toBe(401);
  });

  it("accepts an upload read from Node's own request: 202, the photo stored", async () => {
    const jpeg = await makeJpeg({ width: 64, height: 48 });
    const form = new FormData();
    form.append("files", new Blob([new Uint8Array(jpeg)], { type: "image/jpeg" }), "front.jpg");
    const res = await fetch(`${base}/api/v1/media`, { method: "POST", body: form, headers: { cookie, origin: base } });
    expect(res.status).toBe(202);
    const { media, rejected } = await res.json();
    expect(rejected).toEqual([]);
    expect(media).toHaveLength(1);
    const row = await db().media.findUniqueOrThrow({ where: { id: media[0].id } });
    expect(row).toMatchObject({ ownerId, originalName: "front.jpg", size: jpeg.length });
  });

  it("refuses a cross-site upload before reading it (403), and a body over the limit with a 413 it can still send", async () => {
    const form = new FormData();
    form.append("files", new Blob([new Uint8Array(await makeJpeg({ width: 8, height: 8 }))], { type: "image/jpeg" }), "x.jpg");
    const crossSite = await fetch(`${base}/api/v1/media`, { method: "POST", body: form, headers: { cookie, origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
    // A body that claims nothing about its length and runs past the request limit: refused
    // while it arrives, and the refusal reaches the client on the same connection.
    const status = await postStreaming(`/api/v1/media`, env().MAX_REQUEST_BYTES + 4 * 1024 * 1024);
    expect(status).toBe(413);
    expect(await tempFiles()).toEqual([]);
  });

  it("leaves no temp file and no row when the client goes away mid-upload", async () => {
    const before = await db().media.count({ where: { ownerId } });
    await new Promise<void>((resolve) => {
      const boundary = "cutcutcut";
      const req = http.request(`${base}/api/v1/media`, {
        method: "POST",
        headers: { cookie, origin: base, "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(5 * 1024 * 1024) },
      });
      req.on("error", () => resolve());
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="cut.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
      makeJpeg({ width: 64, height: 48 }).then((jpeg) => {
        req.write(jpeg.subarray(0, 200));
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200);
      });
    });
    await waitFor("the cut upload's temp file removed", async () => (await tempFiles()).length === 0, 5_000);
    expect(await db().media.count({ where: { ownerId } })).toBe(before);
  });

  it("creates and reads an AI job with a token (the jobs API), and reads the JSON body from Node's request", async () => {
    const { token } = await makeToken(cookie);
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const bad = await fetch(`${base}/api/v1/jobs`, { method: "POST", headers, body: "{not json" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe("The request body must be JSON.");
    const created = await fetch(`${base}/api/v1/jobs`, { method: "POST", headers, body: JSON.stringify({ type: "summarize", payload: { text: "One sentence. Another sentence." } }) });
    expect(created.status).toBe(202);
    const { job_id } = await created.json();
    expect(created.headers.get("location")).toBe(`/api/v1/jobs/${job_id}`);
    const read = await fetch(`${base}/api/v1/jobs/${job_id}`, { headers });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ job_id, type: "summarize" });
    expect(passedOn.filter((line) => line.includes("/jobs"))).toEqual([]);
  });
});

describe("the front: the podcast feed", () => {
  it("serves the stored XML with its length, gzip when asked (made once), and 304 for either copy's validator", async () => {
    const show = await ensureDefaultShow(db(), { id: ownerId, email: "front@example.com" }, env().APP_URL);
    const url = `${base}/feeds/${show.feedToken}`;
    const plain = await rawGet(url);
    expect(plain.status).toBe(200);
    expect(plain.headers["content-type"]).toBe("application/rss+xml; charset=utf-8");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers["content-length"]).toBe(String(plain.body.length));
    expect(plain.headers["x-framecast-body-length"]).toBeUndefined(); // private to the process
    expect(plain.headers.vary).toBe("Accept-Encoding");
    expect(plain.headers["access-control-allow-origin"]).toBe("*");
    expect(plain.body.toString("utf8")).toContain("<rss");
    const etag = String(plain.headers.etag);
    expect(etag).toMatch(/^"\d+-[\w-]+"$/);

    // What podcast apps send: the same XML, compressed, under a weak ETag of the same version.
    const zipped = await rawGet(url, { "accept-encoding": "gzip, deflate, br" });
    expect(zipped.status).toBe(200);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers["content-length"]).toBe(String(zipped.body.length));
    expect(zipped.headers.etag).toBe(`W/${etag}`);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect((await rawGet(url, { "accept-encoding": "gzip;q=0, identity" })).headers["content-encoding"]).toBeUndefined();

    expect((await rawGet(url, { "if-none-match": etag })).status).toBe(304);
    const revalidated = await rawGet(url, { "if-none-match": `W/${etag}`, "accept-encoding": "gzip" });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.etag).toBe(`W/${etag}`);
    expect((await rawGet(`${base}/feeds/${"x".repeat(32)}`)).status).toBe(404);
    expect(passedOn.filter((line) => line.includes("/feeds/"))).toEqual([]);
  });
});

/** A GET through node:http, so the body is what went over the wire (fetch would decompress it). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

/** POSTs a multipart body of `bytes` in chunks with no Content-Length; resolves with the answer's status. */
function postStreaming(pathname: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const boundary = "bigbigbig";
    const req = http.request(`${base}${pathname}`, {
      method: "POST",
      headers: { cookie, origin: base, "content-type": `multipart/form-data; boundary=${boundary}`, "transfer-encoding": "chunked" },
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on("error", reject);
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
    const chunk = Buffer.alloc(256 * 1024, 0xff);
    chunk[0] = 0xff;
    chunk[1] = 0xd8;
    chunk[2] = 0xff;
    let sent = 0;
    const more = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", more);
      }
      req.end(`\r\n--${boundary}--\r\n`);
    };
    more();
  });
}

async function tempFiles(): Promise<string[]> {
  return readdir(uploadPolicy().tempDir).catch(() => []);
}
