// Behaviour every Storage driver must share, run by each driver's test file so local
// disk and S3 cannot drift apart. Not a *.test.ts itself: it only registers tests.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { InvalidStorageKeyError } from "./keys";
import { StorageNotFoundError, type Storage } from "./types";

export interface ContractSubject {
  storage: Storage;
  /** A writable directory for putFile sources (for local: on the storage's filesystem). */
  scratchDir: string;
}

/** Keys no driver may accept, whatever the operation. */
export const UNSAFE_KEYS = [
  "",
  "/etc/passwd",
  "../escape",
  "originals/../../escape",
  "originals/..",
  "a..b",
  "originals\\..\\escape",
  "C:\\windows",
  "originals/a\0b",
  "originals//double",
  "originals/trailing/",
  "./relative",
  "originals/.hidden",
  "line\nbreak",
  "x".repeat(1025),
];

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

export function storageContract(name: string, subject: () => ContractSubject): void {
  // Every test works under its own prefix so tests never see each other's objects.
  const prefix = () => `contract/${randomUUID()}`;

  async function scratchFile(bytes: Buffer): Promise<string> {
    const file = path.join(subject().scratchDir, `src-${randomUUID()}`);
    await fs.writeFile(file, bytes);
    return file;
  }

  describe(`Storage contract: ${name}`, () => {
    it("round-trips a buffer through getBuffer, getStream and stat", async () => {
      const { storage } = subject();
      const key = `${prefix()}/thumbs/abc.webp`;
      const body = randomBytes(64 * 1024);
      await storage.putBuffer(key, body, "image/webp");

      expect((await storage.getBuffer(key)).equals(body)).toBe(true);
      expect(await storage.stat(key)).toMatchObject({ size: body.length, contentType: "image/webp" });

      const got = await storage.getStream(key);
      expect(got.size).toBe(body.length);
      expect(got.contentType).toBe("image/webp");
      expect((await readAll(got.stream)).equals(body)).toBe(true);
    });

    it("putFile stores a ~5 MB file streamed from disk and removes the source", async () => {
      const { storage } = subject();
      const key = `${prefix()}/originals/2026/11/${randomUUID()}`;
      // Not a round number of chunks, so an off-by-one at a boundary would show.
      const body = randomBytes(5 * 1024 * 1024 + 123);
      const src = await scratchFile(body);

      await storage.putFile(key, src, "image/jpeg");

      await expect(fs.stat(src)).rejects.toMatchObject({ code: "ENOENT" });
      expect(await storage.stat(key)).toMatchObject({ size: body.length, contentType: "image/jpeg" });
      const got = await storage.getStream(key);
      expect(got.size).toBe(body.length);
      expect(got.contentType).toBe("image/jpeg");
      expect(sha256(await readAll(got.stream))).toBe(sha256(body));
    });

    it("overwriting a key replaces bytes and content type", async () => {
      const { storage } = subject();
      const key = `${prefix()}/obj`;
      await storage.putBuffer(key, Buffer.from("first version"), "text/plain");
      await storage.putFile(key, await scratchFile(Buffer.from("second")), "application/octet-stream");

      expect((await storage.getBuffer(key)).toString()).toBe("second");
      expect(await storage.stat(key)).toMatchObject({ size: 6, contentType: "application/octet-stream" });
    });

    it("stores an empty object", async () => {
      const { storage } = subject();
      const key = `${prefix()}/empty`;
      await storage.putBuffer(key, Buffer.alloc(0), "text/plain");

      expect(await storage.stat(key)).toMatchObject({ size: 0, contentType: "text/plain" });
      expect((await storage.getBuffer(key)).length).toBe(0);
      const got = await storage.getStream(key);
      expect(got.size).toBe(0);
      expect((await readAll(got.stream)).length).toBe(0);
    });

    it("keeps an object's Cache-Control, and its ETag changes when its bytes are replaced", async () => {
      const { storage } = subject();
      const key = `${prefix()}/podcasts/episode.mp3`;
      const cacheControl = "public, max-age=31536000, immutable";
      await storage.putBuffer(key, Buffer.from("first"), "audio/mpeg", { cacheControl });
      const first = await storage.stat(key);
      expect(first).toMatchObject({ size: 5, contentType: "audio/mpeg", cacheControl, etag: expect.any(String) });
      expect((await storage.getStream(key)).cacheControl).toBe(cacheControl);
      expect((await storage.stat(key))!.etag).toBe(first!.etag);

      await new Promise((r) => setTimeout(r, 5));
      await storage.putFile(key, await scratchFile(Buffer.from("second!")), "audio/mpeg");
      const second = await storage.stat(key);
      expect(second!.etag).not.toBe(first!.etag);
      expect(second!.cacheControl).toBeUndefined();
    });

    it("a missing key: getStream/getBuffer throw StorageNotFoundError, stat is null", async () => {
      const { storage } = subject();
      const key = `${prefix()}/missing`;
      await expect(storage.getStream(key)).rejects.toBeInstanceOf(StorageNotFoundError);
      await expect(storage.getBuffer(key)).rejects.toBeInstanceOf(StorageNotFoundError);
      expect(await storage.stat(key)).toBeNull();
    });

    it("a prefix of an existing key is not an object", async () => {
      const { storage } = subject();
      const dir = `${prefix()}/originals`;
      await storage.putBuffer(`${dir}/child`, Buffer.from("x"), "text/plain");

      expect(await storage.stat(dir)).toBeNull();
      await expect(storage.getStream(dir)).rejects.toBeInstanceOf(StorageNotFoundError);
      await expect(storage.getBuffer(dir)).rejects.toBeInstanceOf(StorageNotFoundError);
      // …and a key "below" an object is missing too, not an error.
      expect(await storage.stat(`${dir}/child/below`)).toBeNull();
      await expect(storage.getStream(`${dir}/child/below`)).rejects.toBeInstanceOf(StorageNotFoundError);
    });

    it("delete removes the object and deleting again is not an error", async () => {
      const { storage } = subject();
      const key = `${prefix()}/doomed`;
      await storage.putBuffer(key, Buffer.from("bye"), "text/plain");

      await storage.delete(key);
      expect(await storage.stat(key)).toBeNull();
      await expect(storage.getStream(key)).rejects.toBeInstanceOf(StorageNotFoundError);
      await expect(storage.delete(key)).resolves.toBeUndefined();
    });

    it("rejects unsafe keys on every operation, leaving putFile's source alone", async () => {
      const { storage } = subject();
      for (const key of UNSAFE_KEYS) {
        const src = await scratchFile(Buffer.from("payload"));
        const ops: Array<[string, () => Promise<unknown>]> = [
          ["putBuffer", () => storage.putBuffer(key, Buffer.from("x"), "text/plain")],
          ["putFile", () => storage.putFile(key, src, "text/plain")],
          ["getBuffer", () => storage.getBuffer(key)],
          ["getStream", () => storage.getStream(key)],
          ["stat", () => storage.stat(key)],
          ["delete", () => storage.delete(key)],
        ];
        for (const [op, run] of ops) {
          await expect(run(), `${op}(${JSON.stringify(key.slice(0, 40))})`).rejects.toBeInstanceOf(
            InvalidStorageKeyError,
          );
        }
        expect((await fs.readFile(src)).toString()).toBe("payload");
        await fs.unlink(src);
      }
    });

    it("list finds every object under a prefix, with its size and time, and nothing else", async () => {
      const { storage } = subject();
      const base = prefix();
      const before = Date.now() - 60_000;
      await storage.putBuffer(`${base}/a/one`, Buffer.from("1"), "text/plain");
      await storage.putBuffer(`${base}/a/deep/two`, Buffer.from("22"), "text/plain");
      await storage.putFile(`${base}/b/three`, await scratchFile(Buffer.from("333")), "text/plain");
      await storage.putBuffer(`${base}-sibling/x`, Buffer.from("x"), "text/plain");

      const all = [];
      for await (const o of storage.list(`${base}/`)) all.push(o);
      expect(all.map((o) => [o.key, o.size]).sort()).toEqual([[`${base}/a/deep/two`, 2], [`${base}/a/one`, 1], [`${base}/b/three`, 3]]);
      expect(all.every((o) => o.modifiedAt.getTime() > before)).toBe(true);

      const some = [];
      for await (const o of storage.list(`${base}/a/`)) some.push(o.key);
      expect(some.sort()).toEqual([`${base}/a/deep/two`, `${base}/a/one`]);

      await storage.delete(`${base}/a/one`);
      const after = [];
      for await (const o of storage.list(`${base}/a/`)) after.push(o.key);
      expect(after).toEqual([`${base}/a/deep/two`]);
      const none = [];
      for await (const o of storage.list(`${prefix()}/`)) none.push(o);
      expect(none).toEqual([]);
    });

    it("list refuses a prefix that is not a folder", async () => {
      const { storage } = subject();
      const open = async (p: string) => {
        for await (const o of storage.list(p)) void o;
      };
      await expect(open("originals")).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(open("../")).rejects.toBeInstanceOf(InvalidStorageKeyError);
    });

    it("ping succeeds", async () => {
      await expect(subject().storage.ping()).resolves.toBeUndefined();
    });
  });
}
