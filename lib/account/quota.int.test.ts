// The storage quota over the real upload handlers, Postgres and storage: a photo that fits is
// taken, one that does not is refused with 413 saying how much room is left, and nothing of
// the refused file is kept (no row, no stored object, no temp file) — for photos and episodes,
// multipart and resumable (refused at creation, before any byte, and again at the finish).
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createEpisodes } from "@/app/api/v1/episodes/route";
import { POST as createAudioUpload } from "@/app/api/v1/episodes/uploads/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { POST as createPhotoUpload } from "@/app/api/v1/media/uploads/route";
import * as photoUpload from "@/app/api/v1/media/uploads/[uploadId]/route";
import { resumableRoot } from "@/lib/http/resumable";
import { db } from "@/lib/db";
import { closeQueues } from "@/lib/jobs";
import { storage } from "@/lib/storage/instance";
import { makeTone } from "@/test/audio";
import { audioForm, call, photoForm, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import sharp from "sharp";
import { makeJpeg } from "@/test/test-images";
import { storageUsage } from "./usage";

const QUOTA = 200_000;

let iso: IsolatedEnv;
let alice: string;
let aliceId: string;

beforeAll(async () => {
  iso = await isolate({ USER_STORAGE_QUOTA_BYTES: String(QUOTA) });
  alice = await signUp("alice@example.com");
  aliceId = (await db().user.findUniqueOrThrow({ where: { email: "alice@example.com" } })).id;
});

afterAll(async () => {
  await closeQueues();
  await db().$disconnect();
  await iso?.teardown();
});

async function originals(): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of storage().list("originals/")) keys.push(o.key);
  return keys;
}

/** Noise compresses badly: a JPEG of a few hundred KB. */
const noisyJpeg = (width: number, height: number) => sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();

const send = (files: { name: string; bytes: Buffer }[], cookie = alice) => call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm(files) });

const TUS = { "tus-resumable": "1.0.0" };

/** Creates a resumable (tus) upload of `size` bytes named `name`: the POST a tus client sends first. */
const createResumable = (handler: typeof createPhotoUpload, collection: string, cookie: string, name: string, size: number) =>
  call(handler, { path: collection, method: "POST", cookie, headers: { ...TUS, "upload-length": String(size), "upload-metadata": `filename ${Buffer.from(name).toString("base64")}` } });

/** Every file in the resumable upload folders (bytes, info, claims), of both kinds. */
async function resumableFiles(): Promise<string[]> {
  const root = resumableRoot(iso.dataDir);
  const kinds = await readdir(root).catch(() => [] as string[]);
  return (await Promise.all(kinds.map(async (kind) => (await readdir(path.join(root, kind))).map((name) => `${kind}/${name}`)))).flat();
}

async function storedKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of storage().list("")) keys.push(o.key);
  return keys.sort();
}

const ROOM_LEFT = /^(.+) needs .* but only .* of your .* storage is left\. Delete photos, vlogs or episodes to make room\.$/;

describe("storage quota", () => {
  it("takes what fits, refuses what does not with 413 and the room left, and keeps nothing of it", async () => {
    const small = await makeJpeg({ width: 300, height: 200, seed: 1 });
    const big = await noisyJpeg(700, 500);
    expect(small.length).toBeLessThan(QUOTA / 2);
    expect(big.length).toBeGreaterThan(QUOTA);

    const first = await send([{ name: "small.jpg", bytes: small }]);
    expect(first.status).toBe(202);
    const used = (await storageUsage(db(), aliceId, QUOTA)).usedBytes;
    expect(used).toBe(small.length);

    const refused = await send([{ name: "big.jpg", bytes: big }]);
    expect(refused.status).toBe(413);
    const body = await refused.json();
    expect(body.error.code).toBe("over_quota");
    expect(body.error.message).toMatch(/^big\.jpg needs .* but only .* of your .* storage is left\. Delete photos, vlogs or episodes to make room\.$/);
    expect(body.error.details).toEqual({ usedBytes: used, quotaBytes: QUOTA, remainingBytes: QUOTA - used });

    // Nothing partial: one photo row, one original, no temp file left behind.
    expect(await db().media.count({ where: { ownerId: aliceId } })).toBe(1);
    expect(await originals()).toHaveLength(1);
    expect(await readdir(path.join(iso.dataDir, "tmp"))).toEqual([]);
  });

  it("in a batch, takes the files that fit and refuses the rest, each with its own status", async () => {
    const before = (await storageUsage(db(), aliceId, QUOTA)).usedBytes;
    const fits = await makeJpeg({ width: 300, height: 200, seed: 3 });
    const tooBig = await noisyJpeg(700, 500);
    const res = await send([{ name: "fits.jpg", bytes: fits }, { name: "too-big.jpg", bytes: tooBig }]);
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body.media.map((m: { name: string }) => m.name)).toEqual(["fits.jpg"]);
    expect(body.rejected).toEqual([
      expect.objectContaining({ name: "too-big.jpg", status: 413, error: expect.stringMatching(/storage is left/), details: expect.objectContaining({ quotaBytes: QUOTA, usedBytes: before + fits.length }) }),
    ]);
    expect(await originals()).toHaveLength(2);
  });

  it("holds when uploads race: of eight at once, only as many as fit are taken, the rest refused with nothing kept", async () => {
    const before = (await storageUsage(db(), aliceId, QUOTA)).usedBytes;
    const photo = await noisyJpeg(300, 220);
    const fitting = Math.floor((QUOTA - before) / photo.length);
    expect(fitting).toBeGreaterThanOrEqual(1);
    expect(fitting).toBeLessThan(8);
    const originalsBefore = (await originals()).length;

    // Eight requests at once all pass the early check (each sees the same room); the claim
    // made with each row is what decides.
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => send([{ name: `race-${i}.jpg`, bytes: photo }])));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(fitting);
    expect(statuses.filter((s) => s === 413)).toHaveLength(8 - fitting);
    for (const refused of answers.filter((r) => r.status === 413)) expect((await refused.json()).error.code).toBe("over_quota");

    const after = (await storageUsage(db(), aliceId, QUOTA)).usedBytes;
    expect(after).toBe(before + fitting * photo.length);
    expect(after).toBeLessThanOrEqual(QUOTA);
    expect(await originals()).toHaveLength(originalsBefore + fitting);
    expect(await readdir(path.join(iso.dataDir, "tmp"))).toEqual([]);
  });

  it("refuses a resumable upload larger than the room left when it is created, before any byte, in the multipart path's words", async () => {
    const usage = await storageUsage(db(), aliceId, QUOTA);
    const room = QUOTA - usage.usedBytes;
    const photosBefore = await db().media.count({ where: { ownerId: aliceId } });
    const keysBefore = await storedKeys();
    for (const [handler, collection, name] of [
      [createPhotoUpload, "/api/v1/media/uploads", "panorama.jpg"],
      [createAudioUpload, "/api/v1/episodes/uploads", "interview.wav"],
    ] as const) {
      const res = await createResumable(handler, collection, alice, name, room + 1);
      expect(res.status, collection).toBe(413);
      expect(res.headers.get("location"), collection).toBeNull();
      const { error } = await res.json();
      expect(error.code).toBe("over_quota");
      expect(ROOM_LEFT.exec(error.message)?.[1]).toBe(name);
      expect(error.details).toEqual({ usedBytes: usage.usedBytes, quotaBytes: QUOTA, remainingBytes: room });
    }
    // Nothing was created: no upload to send bytes to, no row, no object.
    expect(await resumableFiles()).toEqual([]);
    expect(await db().media.count({ where: { ownerId: aliceId } })).toBe(photosBefore);
    expect(await storedKeys()).toEqual(keysBefore);

    // What fits is still taken at creation.
    expect((await createResumable(createPhotoUpload, "/api/v1/media/uploads", alice, "small.jpg", room)).status).toBe(201);
  });

  it("refuses an episode's recording over the room left (multipart) with 413 and the room left, storing nothing", async () => {
    const usage = await storageUsage(db(), aliceId, QUOTA);
    const wav = await readFile(await makeTone(5, { format: "wav" }));
    expect(wav.length).toBeGreaterThan(QUOTA - usage.usedBytes);
    const keysBefore = await storedKeys();

    const res = await call(createEpisodes, { path: "/api/v1/episodes", method: "POST", cookie: alice, body: audioForm([{ name: "talk.wav", bytes: wav, type: "audio/wav" }]) });
    expect(res.status).toBe(413);
    const { error } = await res.json();
    expect(error.code).toBe("over_quota");
    expect(ROOM_LEFT.exec(error.message)?.[1]).toBe("talk.wav");
    expect(error.details).toEqual({ usedBytes: usage.usedBytes, quotaBytes: QUOTA, remainingBytes: QUOTA - usage.usedBytes });
    expect(await db().episode.count({ where: { ownerId: aliceId } })).toBe(0);
    expect(await storedKeys()).toEqual(keysBefore);
    expect(await readdir(path.join(iso.dataDir, "tmp"))).toEqual(["resumable"]);
  });

  it("still refuses a resumable upload at the finish when other uploads took the room after it was created", async () => {
    const carol = await signUp("carol@example.com");
    const carolId = (await db().user.findUniqueOrThrow({ where: { email: "carol@example.com" } })).id;
    const late = await noisyJpeg(450, 300);
    const filler = await noisyJpeg(450, 300);
    expect(late.length + filler.length).toBeGreaterThan(QUOTA);
    expect(Math.max(late.length, filler.length)).toBeLessThan(QUOTA);

    const created = await createResumable(createPhotoUpload, "/api/v1/media/uploads", carol, "late.jpg", late.length);
    expect(created.status).toBe(201);
    const location = created.headers.get("location")!;
    const id = location.split("/").pop()!;
    // Meanwhile a multipart upload takes most of the room.
    expect((await send([{ name: "filler.jpg", bytes: filler }], carol)).status).toBe(202);

    const last = await call(photoUpload.PATCH, {
      path: location,
      method: "PATCH",
      cookie: carol,
      params: { uploadId: id },
      body: new Uint8Array(late),
      headers: { ...TUS, "upload-offset": "0", "content-type": "application/offset+octet-stream" },
    });
    expect(last.status).toBe(413);
    expect(ROOM_LEFT.exec((await last.json()).error.message)?.[1]).toBe("late.jpg");
    const seen = await call(photoUpload.GET, { path: location, cookie: carol, params: { uploadId: id } });
    expect(await seen.json()).toMatchObject({ state: "refused", status: 413, error: { code: "over_quota" } });
    expect((await db().media.findMany({ where: { ownerId: carolId } })).map((m) => m.originalName)).toEqual(["filler.jpg"]);
    expect((await storageUsage(db(), carolId, QUOTA)).usedBytes).toBe(filler.length);
  });
});
