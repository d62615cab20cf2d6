// Idempotency-Key on the plain (multipart) uploads, through the real route handlers, Postgres,
// Redis and local storage: a phone that lost the answer sends the same photo again with the
// same key and gets the first answer back, with one photo in its library and one original
// stored; another person's key is theirs alone; without a key nothing changes.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as upload } from "@/app/api/v1/media/route";
import { POST as uploadEpisode } from "@/app/api/v1/episodes/route";
import { db } from "@/lib/db";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { call, photoForm, signUp } from "@/test/http";
import { makeTone } from "@/test/audio";
import { makeJpeg } from "@/test/test-images";
import { closeConnections } from "@/test/worker";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { closeIdempotency, REPLAYED_HEADER } from "./idempotency";

let iso: IsolatedEnv;
let alice: string;
let bob: string;
let photo: Buffer;

beforeAll(async () => {
  iso = await isolate();
  alice = await signUp("alice@example.com");
  bob = await signUp("bob@example.com");
  photo = await makeJpeg({ width: 320, height: 240, seed: 16 });
});

afterAll(async () => {
  await Promise.all([closeIdempotency(), closeRateLimiter()]);
  await closeConnections();
  await iso?.teardown();
});

async function send(cookie: string, key: string | null, bytes = photo, name = "beach.jpg") {
  const res = await call(upload, {
    path: "/api/v1/media",
    method: "POST",
    cookie,
    body: photoForm([{ name, bytes }]),
    headers: key ? { "idempotency-key": key } : {},
  });
  return { status: res.status, replayed: res.headers.get(REPLAYED_HEADER), body: await res.json() };
}

/** The originals in local storage (every photo's stored bytes). */
async function storedOriginals(): Promise<string[]> {
  const root = path.join(iso.dataDir, "objects", "originals");
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  // Not the content-type sidecars (".<name>.meta.json", lib/storage/local.ts).
  return entries.filter((e) => e.isFile() && !e.name.startsWith(".")).map((e) => e.name);
}

const mediaCount = (name: string) => db().media.count({ where: { originalName: name } });

describe("POST /api/v1/media with an Idempotency-Key", () => {
  it("answers a repeat with the first answer: the same photo, one row, one stored original", async () => {
    const key = crypto.randomUUID();
    const storedBefore = (await storedOriginals()).length;
    const first = await send(alice, key, photo, "lost-answer.jpg");
    expect(first.status).toBe(202);
    expect(first.replayed).toBeNull();
    const storedAfterFirst = (await storedOriginals()).length;
    expect(storedAfterFirst).toBe(storedBefore + 1);

    const again = await send(alice, key, photo, "lost-answer.jpg");
    expect(again.status).toBe(202);
    expect(again.replayed).toBe("true");
    expect(again.body.media[0].id).toBe(first.body.media[0].id);
    expect(again.body).toEqual(first.body);
    expect(await mediaCount("lost-answer.jpg")).toBe(1);
    expect((await storedOriginals()).length).toBe(storedAfterFirst);
  });

  it("stores one photo when two tries arrive at once; one still running tells the other to wait", async () => {
    const key = crypto.randomUUID();
    const both = await Promise.all([send(alice, key, photo, "twice-at-once.jpg"), send(alice, key, photo, "twice-at-once.jpg")]);
    // Usually one is still running when the other arrives (409); at worst it is already done (the same 202).
    for (const a of both) expect(a.status === 202 || (a.status === 409 && a.body.error.code === "idempotency_key_in_flight")).toBe(true);
    expect(await mediaCount("twice-at-once.jpg")).toBe(1);
    const id = both.find((a) => a.status === 202)!.body.media[0].id;
    for (const a of both.filter((x) => x.status === 202)) expect(a.body.media[0].id).toBe(id);
    // Once the first is done, the waiting one gets its answer.
    const later = await send(alice, key, photo, "twice-at-once.jpg");
    expect(later.body.media[0].id).toBe(id);
  });

  it("keeps each person's keys apart: Bob's upload with Alice's key is his own photo", async () => {
    const key = "shared-key-1";
    const mine = await send(alice, key, photo, "alice-key.jpg");
    const his = await send(bob, key, photo, "bob-key.jpg");
    expect(his.status).toBe(202);
    expect(his.replayed).toBeNull();
    expect(his.body.media[0].id).not.toBe(mine.body.media[0].id);
    expect(his.body.media[0].name).toBe("bob-key.jpg");
    expect(await mediaCount("bob-key.jpg")).toBe(1);
  });

  it("does not keep a refusal: the same key with a photo after a refused file is judged anew", async () => {
    const key = crypto.randomUUID();
    const refused = await send(alice, key, Buffer.from("not a photo at all\n".repeat(20)), "notes.jpg");
    expect(refused.status).toBe(415);
    const fixed = await send(alice, key, photo, "fixed.jpg");
    expect(fixed.status).toBe(202);
    expect(fixed.replayed).toBeNull();
    expect(await mediaCount("fixed.jpg")).toBe(1);
  });

  it("without a key, behaves as before: each POST is a new photo", async () => {
    const one = await send(alice, null, photo, "no-key.jpg");
    const two = await send(alice, null, photo, "no-key.jpg");
    expect([one.status, two.status]).toEqual([202, 202]);
    expect(one.body.media[0].id).not.toBe(two.body.media[0].id);
    expect(await mediaCount("no-key.jpg")).toBe(2);
  });

  it("refuses a key that is not 1–255 visible characters, naming the header", async () => {
    const res = await send(alice, "x".repeat(300));
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.error.fields)).toEqual(["Idempotency-Key"]);
  });
});

describe("POST /api/v1/episodes with an Idempotency-Key", () => {
  it("answers a repeat with the first episode instead of making a second", async () => {
    const tone = await readFile(await makeTone(2, { format: "wav" }));
    const form = () => {
      const f = new FormData();
      f.append("file", new Blob([new Uint8Array(tone)], { type: "audio/wav" }), "voice-memo.wav");
      return f;
    };
    const key = crypto.randomUUID();
    const post = () => call(uploadEpisode, { path: "/api/v1/episodes", method: "POST", cookie: alice, body: form(), headers: { "idempotency-key": key } });
    const first = await post();
    expect(first.status).toBe(202);
    const again = await post();
    expect(again.status).toBe(202);
    expect(again.headers.get(REPLAYED_HEADER)).toBe("true");
    const [a, b] = [await first.json(), await again.json()];
    expect(b.episodeId).toBe(a.episodeId);
    expect(await db().episode.count({ where: { originalName: "voice-memo.wav" } })).toBe(1);
  });
});
