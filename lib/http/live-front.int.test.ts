// The live front on a real node:http server: stream paths are answered by it (refusals as
// JSON with the API's headers, the snapshot, live events with ids, `end`, a reconnect with
// Last-Event-ID), and every other request is left to whoever is behind it (Next in the app).
import http from "node:http";
import type { AddressInfo } from "node:net";
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
import { closeConnections } from "@/test/worker";
import { serveLiveStream } from "./live-front";
import { openStreamCount } from "./sse";

let iso: IsolatedEnv;
let server: http.Server;
let base: string;
let cookie: string;
let ownerId: string;
let photos: MediaView[];
const passedOn: string[] = [];

beforeAll(async () => {
  iso = await isolate();
  cookie = await signUp("front@example.com");
  ownerId = (await db().user.findFirstOrThrow({ where: { email: "front@example.com" } })).id;
  photos = [];
  for (const n of [1, 2]) {
    const row = await createMedia(db(), { ownerId, originalName: `p${n}.jpg`, mime: "image/jpeg", size: 10, sha256: `sha-${n}`, storageKey: `k-${n}` });
    photos.push(toMediaView(row));
  }
  // What the app's web process does: the front first, Next for everything it leaves.
  server = http.createServer((req, res) => {
    if (serveLiveStream(req, res)) return;
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

describe("the live front", () => {
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
    expect(await (await fetch(`${base}/api/v1/media?ids=${photos[0].id}`, { headers: { cookie } })).text()).toBe("served by what is behind the front");
    await fetch(`${base}/api/v1/media/stream/`, { headers: { cookie } });
    await fetch(`${base}/api/v1/media/stream?ids=${photos[0].id}`, { method: "POST", headers: { cookie } });
    expect(passedOn).toEqual([`GET /api/v1/media?ids=${photos[0].id}`, "GET /api/v1/media/stream/", `POST /api/v1/media/stream?ids=${photos[0].id}`]);
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
