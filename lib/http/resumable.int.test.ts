// Resumable uploads (tus) through the real route handlers, Postgres, Redis and local
// storage: what a client sees at each step — the offset to go on from, the refusal as soon
// as the first bytes are not a photo, the same limits and sentences as the multipart path,
// the outcome kept for a client that lost the last answer, strangers seeing nothing, and
// expired unfinished uploads collected.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getOriginal } from "@/app/api/v1/media/[id]/original/route";
import { POST as createPhotoUpload } from "@/app/api/v1/media/uploads/route";
import * as photoUpload from "@/app/api/v1/media/uploads/[uploadId]/route";
import { POST as createAudioUpload } from "@/app/api/v1/episodes/uploads/route";
import * as audioUpload from "@/app/api/v1/episodes/uploads/[uploadId]/route";
import { createApiToken } from "@/lib/auth/tokens";
import { userForToken } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { findJob } from "@/lib/jobs";
import { webMetrics } from "@/lib/metrics/web";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { call, signUp } from "@/test/http";
import { makeTone } from "@/test/audio";
import { makePng } from "@/test/test-images";
import { closeConnections } from "@/test/worker";
import { resumableRoot, sweepResumableUploads } from "./resumable";

let iso: IsolatedEnv;
let alice: string;
let bob: string;
let aliceReadOnly: string;
const TUS = { "tus-resumable": "1.0.0" };
const EXPIRY_MS = 2 * 3_600_000;

const b64 = (s: string) => Buffer.from(s).toString("base64");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  iso = await isolate({ RESUMABLE_UPLOAD_EXPIRY: "2h", MAX_FILE_BYTES: String(8 * 1024 * 1024), MAX_PIXELS: "2000000" });
  alice = await signUp("alice@example.com");
  bob = await signUp("bob@example.com");
  const user = (await userForToken(db(), alice.split("=")[1]))!;
  aliceReadOnly = (await createApiToken(db(), user.id, { name: "read", scopes: ["read"] })).token;
});

afterAll(async () => {
  await closeConnections();
  await iso?.teardown();
});

type Routes = typeof photoUpload;

async function create(handler: typeof createPhotoUpload, collection: string, cookie: string, size: number, metadata: Record<string, string>) {
  const header = Object.entries(metadata).map(([k, v]) => `${k} ${b64(v)}`).join(",");
  const res = await call(handler, { path: collection, method: "POST", cookie, headers: { ...TUS, "upload-length": String(size), "upload-metadata": header } });
  const location = res.headers.get("location");
  return { res, location, id: location?.split("/").pop() ?? "" };
}

const patch = (routes: Routes, location: string, id: string, cookie: string, offset: number, bytes: Buffer, headers: Record<string, string> = {}) =>
  call(routes.PATCH, {
    path: location,
    method: "PATCH",
    cookie,
    params: { uploadId: id },
    body: new Uint8Array(bytes),
    headers: { ...TUS, "upload-offset": String(offset), "content-type": "application/offset+octet-stream", ...headers },
  });

const head = (routes: Routes, location: string, id: string, cookie: string) =>
  call(routes.HEAD, { path: location, method: "HEAD", cookie, params: { uploadId: id }, headers: TUS });

const uploadBytesCounted = async () => (await webMetrics().uploadBytes.get()).values[0]?.value ?? 0;

const state = async (routes: Routes, location: string, id: string, cookie: string) => {
  const res = await call(routes.GET, { path: location, cookie, params: { uploadId: id } });
  return { status: res.status, body: await res.json() };
};

describe("a resumable photo upload", () => {
  it("resumes from the server's offset, then becomes a photo like a multipart one, stored byte for byte and queued", async () => {
    const png = await makePng({ width: 900, height: 700, seed: 7 });
    const { res, location, id } = await create(createPhotoUpload, "/api/v1/media/uploads", alice, png.length, { filename: "harbour.png", filetype: "image/png" });
    expect(res.status).toBe(201);
    expect(location).toBe(`/api/v1/media/uploads/${id}`);
    expect(res.headers.get("upload-expires")).toBeTruthy();

    const cut = Math.floor(png.length * 0.4);
    const countedBefore = await uploadBytesCounted();
    expect((await patch(photoUpload, location!, id, alice, 0, png.subarray(0, cut))).status).toBe(204);
    // The bytes count in the upload-bytes metric as the multipart path's do.
    expect((await uploadBytesCounted()) - countedBefore).toBe(cut);
    // A client back after a dropped connection asks where to go on from.
    const asked = await head(photoUpload, location!, id, alice);
    expect(asked.status).toBe(200);
    expect(asked.headers.get("upload-offset")).toBe(String(cut));
    expect(asked.headers.get("upload-length")).toBe(String(png.length));
    expect((await state(photoUpload, location!, id, alice)).body).toMatchObject({ state: "receiving", offset: cut, size: png.length });
    // Sending from the wrong offset changes nothing.
    const wrong = await patch(photoUpload, location!, id, alice, 0, png.subarray(0, 10));
    expect(wrong.status).toBe(409);
    expect((await wrong.json()).error.code).toBe("offset_mismatch");

    const last = await patch(photoUpload, location!, id, alice, cut, png.subarray(cut));
    expect(last.status).toBe(204);
    expect(last.headers.get("upload-offset")).toBe(String(png.length));

    const done = await state(photoUpload, location!, id, alice);
    expect(done.body.state).toBe("done");
    const media = done.body.result.media[0];
    expect(media).toMatchObject({ name: "harbour.png", status: "queued" });
    const original = await call(getOriginal, { path: `/api/v1/media/${media.id}/original`, cookie: alice, params: { id: media.id } });
    expect(sha(Buffer.from(await original.arrayBuffer()))).toBe(sha(png));
    expect(await findJob("analyze-media", { mediaId: media.id })).toBeTruthy();

    // A client that lost the last answer asks again: all there, same outcome, nothing new.
    const again = await head(photoUpload, location!, id, alice);
    expect(again.headers.get("upload-offset")).toBe(String(png.length));
    expect((await state(photoUpload, location!, id, alice)).body.result.media[0].id).toBe(media.id);
    const more = await patch(photoUpload, location!, id, alice, png.length, Buffer.alloc(0));
    expect(more.status).toBe(409);
    expect(await db().media.count({ where: { originalName: "harbour.png" } })).toBe(1);
    // Its bytes moved into storage; only the receipt is left in the upload folder.
    expect(await readdir(path.join(resumableRoot(iso.dataDir), "media"))).toEqual([`${id}.json`]);
  });

  it("is refused at creation when the declared size is over the limit, in the multipart path's words", async () => {
    const { res } = await create(createPhotoUpload, "/api/v1/media/uploads", alice, 9 * 1024 * 1024, { filename: "huge.jpg" });
    expect(res.status).toBe(413);
    expect((await res.json()).error.message).toBe("huge.jpg is larger than the 8 MB limit.");
  });

  it("is refused as soon as its first bytes show it is not a photo, and says what it looks like", async () => {
    const text = Buffer.from("Dear diary, ".repeat(20_000));
    const { location, id } = await create(createPhotoUpload, "/api/v1/media/uploads", alice, text.length, { filename: "notes.jpg" });
    const res = await patch(photoUpload, location!, id, alice, 0, text.subarray(0, 4096));
    expect(res.status).toBe(415);
    expect((await res.json()).error.message).toMatch(/^notes\.jpg is not a photo we can read/);
    const seen = await state(photoUpload, location!, id, alice);
    expect(seen.body).toMatchObject({ state: "refused", error: { code: "wrong_type" } });
    expect(await readdir(path.join(resumableRoot(iso.dataDir), "media"))).not.toContain(id);
  });

  it("is judged by the multipart path's own inspection when the last byte arrives: over the pixel limit is refused with its reason, and stays refused", async () => {
    const png = await makePng({ width: 2000, height: 1500, seed: 11 });
    const { location, id } = await create(createPhotoUpload, "/api/v1/media/uploads", alice, png.length, { filename: "panorama.png" });
    const half = Math.floor(png.length / 2);
    expect((await patch(photoUpload, location!, id, alice, 0, png.subarray(0, half))).status).toBe(204);
    const last = await patch(photoUpload, location!, id, alice, half, png.subarray(half));
    expect(last.status).toBe(413);
    const message = (await last.json()).error.message;
    expect(message).toMatch(/^panorama\.png: .*pixels/);
    // Asked again (the answer was lost): the same refusal, no photo, no bytes kept.
    expect((await state(photoUpload, location!, id, alice)).body).toMatchObject({ state: "refused", status: 413, error: { message } });
    expect(await db().media.count({ where: { originalName: "panorama.png" } })).toBe(0);
    expect(await readdir(path.join(resumableRoot(iso.dataDir), "media"))).not.toContain(id);
  });

  it("belongs to its creator: anyone else's request answers like a missing upload; a read-only token cannot send bytes; other sites cannot", async () => {
    const { location, id } = await create(createPhotoUpload, "/api/v1/media/uploads", alice, 1000, { filename: "mine.png" });
    const missing = "0".repeat(32);
    const strangerHead = await head(photoUpload, location!, id, bob);
    expect(strangerHead.status).toBe(404);
    const strangerGet = await state(photoUpload, location!, id, bob);
    const missingGet = await state(photoUpload, `/api/v1/media/uploads/${missing}`, missing, alice);
    expect(strangerGet).toEqual(missingGet);
    expect(strangerGet.status).toBe(404);
    expect((await patch(photoUpload, location!, id, bob, 0, Buffer.alloc(10))).status).toBe(404);
    expect((await call(photoUpload.DELETE, { path: location!, method: "DELETE", cookie: bob, params: { uploadId: id }, headers: TUS })).status).toBe(404);

    const readOnly = await call(photoUpload.PATCH, {
      path: location!,
      method: "PATCH",
      params: { uploadId: id },
      body: new Uint8Array(10),
      headers: { ...TUS, authorization: `Bearer ${aliceReadOnly}`, "upload-offset": "0", "content-type": "application/offset+octet-stream" },
    });
    expect(readOnly.status).toBe(403);
    const forged = await patch(photoUpload, location!, id, alice, 0, Buffer.alloc(10), { origin: "https://evil.example" });
    expect(forged.status).toBe(403);
    expect((await head(photoUpload, location!, id, alice)).headers.get("upload-offset")).toBe("0");
    const anonymous = await call(createPhotoUpload, { path: "/api/v1/media/uploads", method: "POST", headers: { ...TUS, "upload-length": "10" } });
    expect(anonymous.status).toBe(401);

    // The owner may give up on it while unfinished.
    expect((await call(photoUpload.DELETE, { path: location!, method: "DELETE", cookie: alice, params: { uploadId: id }, headers: TUS })).status).toBe(204);
    expect((await head(photoUpload, location!, id, alice)).status).toBe(404);
  });

  it("is collected once expired, and not before", async () => {
    const { location, id } = await create(createPhotoUpload, "/api/v1/media/uploads", alice, 5000, { filename: "later.png" });
    expect((await patch(photoUpload, location!, id, alice, 0, (await makePng({ width: 40, height: 40, seed: 3 })).subarray(0, 100))).status).toBe(204);
    const root = resumableRoot(iso.dataDir);
    expect(await sweepResumableUploads(root, EXPIRY_MS, Date.now() + EXPIRY_MS - 60_000)).toBe(0);
    expect((await head(photoUpload, location!, id, alice)).headers.get("upload-offset")).toBe("100");
    const removed = await sweepResumableUploads(root, EXPIRY_MS, Date.now() + EXPIRY_MS + 60_000);
    expect(removed).toBeGreaterThanOrEqual(1);
    expect((await head(photoUpload, location!, id, alice)).status).toBe(404);
    expect((await readdir(path.join(root, "media"))).filter((n) => n.startsWith(id))).toEqual([]);
    // Twice in a row: nothing more to do.
    expect(await sweepResumableUploads(root, EXPIRY_MS, Date.now() + EXPIRY_MS + 60_000)).toBe(0);
  });
});

describe("a resumable recording upload", () => {
  it("becomes an episode of the show named at creation, like a multipart upload; a show that is not yours fails before any byte", async () => {
    const wav = await readFile(await makeTone(20, { format: "wav" }));
    const { res, location, id } = await create(createAudioUpload, "/api/v1/episodes/uploads", alice, wav.length, { filename: "interview.wav" });
    expect(res.status).toBe(201);
    const half = Math.floor(wav.length / 2);
    expect((await patch(audioUpload, location!, id, alice, 0, wav.subarray(0, half))).status).toBe(204);
    expect((await patch(audioUpload, location!, id, alice, half, wav.subarray(half))).status).toBe(204);
    const done = await state(audioUpload, location!, id, alice);
    expect(done.body.state).toBe("done");
    expect(done.body.result).toMatchObject({ status: "processing" });
    const episode = await db().episode.findUniqueOrThrow({ where: { id: done.body.result.episodeId } });
    expect(episode).toMatchObject({ originalName: "interview.wav", sourceBytes: BigInt(wav.length), sourceSha256: sha(wav) });

    const foreign = await create(createAudioUpload, "/api/v1/episodes/uploads", bob, wav.length, { filename: "x.wav", showId: episode.showId });
    expect(foreign.res.status).toBe(404);
  });
});
