// Benchmark inputs, generated on the fly and deterministic: photos (via the test-image
// helpers), a ~1 MB JPEG, a 200 MB file with a JPEG header, and multipart bodies.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import sharp from "sharp";
import { makeJpeg } from "@/test/test-images";

/** Seeded photos with EXIF, like a phone's: shapes and gradients, different per seed. */
export function photos(count: number, firstSeed: number, width = 1600, height = 1200): Promise<Buffer[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => makeJpeg({ width, height, seed: firstSeed + i, exif: true })));
}

/** A real JPEG of about `targetBytes`: a gradient under fine noise, which compresses poorly, as camera noise does. */
export async function jpegOfSize(targetBytes: number): Promise<Buffer> {
  let width = 1000;
  let jpeg = Buffer.alloc(0);
  for (let attempt = 0; attempt < 4; attempt++) {
    const height = Math.round(width * 0.75);
    const raw = Buffer.alloc(width * height * 3);
    let state = 12345;
    for (let i = 0; i < raw.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      const base = ((i / 3) % width) / width * 200;
      raw[i] = Math.min(255, base + ((state >>> 24) & 0x3f));
    }
    jpeg = await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    if (Math.abs(jpeg.length - targetBytes) / targetBytes < 0.05) break;
    width = Math.round(width * Math.sqrt(targetBytes / jpeg.length));
  }
  return jpeg;
}

/** A file of exactly `bytes` that starts like a JPEG (enough for the magic-byte sniff), then filler. */
export async function jpegHeadedFile(filePath: string, bytes: number): Promise<void> {
  const head = await makeJpeg({ width: 64, height: 48, seed: 1 });
  const out = createWriteStream(filePath);
  out.write(head);
  const chunk = randomBytes(1024 * 1024);
  let written = head.length;
  while (written < bytes) {
    const piece = chunk.subarray(0, Math.min(chunk.length, bytes - written));
    written += piece.length;
    if (!out.write(piece)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

export const BOUNDARY = "----framecastbench7MA4YWxkTrZu0gW";
export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

export function partHead(name: string, type = "image/jpeg", field = "files"): Buffer {
  return Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`);
}

export const PART_TAIL = Buffer.from(`\r\n`);
export const BODY_END = Buffer.from(`--${BOUNDARY}--\r\n`);

/** A complete multipart/form-data body with the files in field "files". */
export function multipartBody(files: { name: string; bytes: Buffer }[]): Buffer {
  return Buffer.concat([...files.flatMap((f) => [partHead(f.name), f.bytes, PART_TAIL]), BODY_END]);
}
