import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RejectedInputError } from "@/lib/errors";
import { makeGif, makeJpeg } from "@/test/test-images";
import { checkFileHeader, HEADER_BYTES } from "./image-header";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "fc-header-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `bytes` to a file and returns it with its head as the upload reader keeps it. */
async function upload(name: string, bytes: Buffer, headBytes = HEADER_BYTES) {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return { path: file, head: bytes.subarray(0, headBytes) };
}

/** A JPEG with `count` APP15 segments of ~64 KB before its frame header, as some cameras write. */
function withBigHeader(jpeg: Buffer, count: number): Buffer {
  const segment = Buffer.alloc(4 + 65_000, 0x20);
  segment.writeUInt16BE(0xffef, 0);
  segment.writeUInt16BE(65_002, 2);
  return Buffer.concat([jpeg.subarray(0, 2), ...Array.from({ length: count }, () => segment), jpeg.subarray(2)]);
}

describe("checkFileHeader", () => {
  const limits = { maxPixels: 1_000_000, maxFrames: 10 };

  it("reads a JPEG's size from its head", async () => {
    const jpeg = await makeJpeg({ width: 800, height: 600, seed: 1 });
    const meta = await checkFileHeader(await upload("small.jpg", jpeg), limits, "image/jpeg");
    expect([meta.width, meta.height]).toEqual([800, 600]);
  });

  it("refuses a JPEG over the pixel limit with its real size, read from the head", async () => {
    const jpeg = await makeJpeg({ width: 1500, height: 1000, seed: 2 });
    // The file itself is gone: only the head can have answered.
    const file = { path: path.join(dir, "not-there.jpg"), head: jpeg.subarray(0, HEADER_BYTES) };
    const error = await checkFileHeader(file, limits, "image/jpeg").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RejectedInputError);
    expect((error as RejectedInputError).reason).toBe("too_large");
    expect((error as Error).message).toContain("1,500 × 1,000");
  });

  it("reads the file when the JPEG's header runs past the head", async () => {
    const jpeg = withBigHeader(await makeJpeg({ width: 640, height: 480, seed: 3 }), 5);
    const file = await upload("big-header.jpg", jpeg);
    // The head alone cannot answer, so the size below came from the file.
    await expect(sharp(file.head).metadata()).rejects.toThrow();
    const meta = await checkFileHeader(file, limits, "image/jpeg");
    expect([meta.width, meta.height]).toEqual([640, 480]);
  });

  it("reads the file for an animation, whose frames only the whole file can count", async () => {
    const frames = 12;
    const animated = await makeGif({ width: 40, height: 40, seed: 4, frames });
    const file = await upload("animated.gif", animated, 64);
    const error = await checkFileHeader(file, limits, "image/gif").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RejectedInputError);
    expect((error as Error).message).toContain(String(frames));
  });
});
