// The storage quota over the real upload handler, Postgres and storage: a photo that fits is
// taken, one that does not is refused with 413 saying how much room is left, and nothing of
// the refused file is kept (no row, no stored object, no temp file).
import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as upload } from "@/app/api/v1/media/route";
import { db } from "@/lib/db";
import { closeQueues } from "@/lib/jobs";
import { storage } from "@/lib/storage/instance";
import { call, photoForm, signUp } from "@/test/http";
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

const send = (files: { name: string; bytes: Buffer }[]) => call(upload, { path: "/api/v1/media", method: "POST", cookie: alice, body: photoForm(files) });

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
});
