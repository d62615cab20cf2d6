import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storageContract, type ContractSubject } from "./contract";
import { InvalidStorageKeyError } from "./keys";
import { createLocalStorage, tempDir } from "./local";

let base: string;
let root: string;
let subject: ContractSubject;

beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), "framecast-local-storage-"));
  root = path.join(base, "data");
  subject = { storage: createLocalStorage(root), scratchDir: tempDir(root) };
});

afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

storageContract("local", () => subject);

/** Everything under dir, relative, so a test can assert nothing stray was left. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe("local storage specifics", () => {
  it("keeps objects at <root>/objects/<key> and tempDir at <root>/tmp", async () => {
    const key = "originals/2026/11/layout-check";
    await subject.storage.putBuffer(key, Buffer.from("hello"), "text/plain");

    expect(await fs.readFile(path.join(root, "objects", key), "utf8")).toBe("hello");
    expect(tempDir(root)).toBe(path.join(root, "tmp"));
    expect(statSync(path.join(root, "tmp")).isDirectory()).toBe(true);
  });

  it("makes a key's folders when they are missing, also after they were removed", async () => {
    const { storage } = subject;
    const source = path.join(subject.scratchDir, "folders-source");
    await fs.writeFile(source, "first");
    await storage.putFile("made/on/demand/one", source, "text/plain");
    await fs.rm(path.join(root, "objects", "made"), { recursive: true });
    await fs.writeFile(source, "second");
    await storage.putFile("made/on/demand/two", source, "text/plain");
    await storage.putBuffer("made/again/three", Buffer.from("third"), "text/plain");

    expect(await storage.getBuffer("made/on/demand/two").then(String)).toBe("second");
    expect(await storage.getBuffer("made/again/three").then(String)).toBe("third");
    expect((await storage.stat("made/on/demand/two"))?.contentType).toBe("text/plain");
    expect(await storage.stat("made/on/demand/one")).toBeNull();
  });

  it("putBuffer leaves no temp files behind", async () => {
    const dir = "atomic/leftovers";
    for (let i = 0; i < 5; i++) {
      await subject.storage.putBuffer(`${dir}/obj`, randomBytes(1000 + i), "application/octet-stream");
    }
    // The object and its content-type sidecar, nothing else.
    expect(await listFiles(path.join(root, "objects", dir))).toEqual([".obj.meta.json", "obj"]);
  });

  it("putBuffer is atomic: concurrent readers only ever see a whole version", async () => {
    const { storage } = subject;
    const key = "atomic/racy";
    // Large enough that a plain writeFile would be observed half-written.
    const a = Buffer.alloc(4 * 1024 * 1024, 0xaa);
    const b = Buffer.alloc(4 * 1024 * 1024 + 7, 0xbb);
    await storage.putBuffer(key, a, "application/octet-stream");

    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) await storage.putBuffer(key, i % 2 ? a : b, "application/octet-stream");
      writing = false;
    })();
    const seen = new Set<string>();
    const reader = async () => {
      while (writing) {
        const got = await storage.getBuffer(key);
        const whole = got.equals(a) ? "a" : got.equals(b) ? "b" : `torn(${got.length})`;
        seen.add(whole);
      }
    };
    await Promise.all([writer, reader(), reader()]);

    expect([...seen].filter((s) => s.startsWith("torn"))).toEqual([]);
    expect(seen.size).toBeGreaterThan(0);
  });

  it("a stream opened before an overwrite keeps reading the old bytes", async () => {
    const { storage } = subject;
    const key = "atomic/held-open";
    const before = Buffer.alloc(256 * 1024, 1);
    await storage.putBuffer(key, before, "application/octet-stream");

    const { stream, size } = await storage.getStream(key);
    await storage.putBuffer(key, Buffer.alloc(1000, 2), "application/octet-stream");

    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(size).toBe(before.length);
    expect(Buffer.concat(chunks).equals(before)).toBe(true);
  });

  it("rejects traversal keys without touching anything outside the root", async () => {
    const before = await listFiles(base);
    for (const key of ["../outside", "../../outside", "/tmp/outside", "a/../../../outside", "..\\outside"]) {
      await expect(subject.storage.putBuffer(key, Buffer.from("x"), "text/plain")).rejects.toBeInstanceOf(
        InvalidStorageKeyError,
      );
    }
    expect(await listFiles(base)).toEqual(before);
    await expect(fs.stat(path.join(base, "outside"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("an object whose sidecar is missing is still readable, without a content type", async () => {
    const key = "meta/lost";
    await subject.storage.putBuffer(key, Buffer.from("bytes"), "image/png");
    await fs.unlink(path.join(root, "objects", "meta", ".lost.meta.json"));

    expect(await subject.storage.stat(key)).toMatchObject({ size: 5, contentType: undefined });
    expect((await subject.storage.getBuffer(key)).toString()).toBe("bytes");
  });

  // /dev/shm is tmpfs on Linux: a different filesystem, so rename(2) fails with EXDEV.
  const shm = "/dev/shm";
  const crossDevice = (() => {
    try {
      return statSync(shm).dev !== statSync(os.tmpdir()).dev;
    } catch {
      return false;
    }
  })();
  it.skipIf(!crossDevice)("putFile falls back to copy + unlink across filesystems", async () => {
    const src = await fs.mkdtemp(path.join(shm, "framecast-xdev-"));
    try {
      const file = path.join(src, "upload");
      const body = randomBytes(300_000);
      await fs.writeFile(file, body);

      await subject.storage.putFile("xdev/moved", file, "image/jpeg");

      await expect(fs.stat(file)).rejects.toMatchObject({ code: "ENOENT" });
      expect((await subject.storage.getBuffer("xdev/moved")).equals(body)).toBe(true);
      expect(await listFiles(path.join(root, "objects", "xdev"))).toEqual([".moved.meta.json", "moved"]);
    } finally {
      await fs.rm(src, { recursive: true, force: true });
    }
  });

  it("ping fails when the root cannot be used", async () => {
    const notADir = path.join(base, "a-file");
    await fs.writeFile(notADir, "");
    await expect(createLocalStorage(notADir).ping()).rejects.toThrow();
  });
});
