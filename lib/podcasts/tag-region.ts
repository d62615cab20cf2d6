// How many bytes of an audio file are metadata (tags, cover art, headers) rather than
// sound, found by walking the container's own headers without reading their contents.
// The tag reader (music-metadata) loads a whole ID3 tag, MP4 `moov` atom or FLAC picture
// into memory, so probe.ts asks this first and skips the tags when they are absurdly large:
// an upload must not make the worker hold hundreds of MB because its tag says so.
import { open, type FileHandle } from "node:fs/promises";
import type { AudioFormat } from "./sniff";

/**
 * Bytes of metadata before (or around) the audio, by the container's headers. Stops counting
 * once past `stopAfter` (the answer is then only known to be larger). Headers that point
 * past the end of the file are cut at the end of the file.
 */
export async function metadataRegionBytes(file: string, format: AudioFormat, stopAfter = Number.MAX_SAFE_INTEGER): Promise<number> {
  const fh = await open(file, "r");
  try {
    const size = (await fh.stat()).size;
    const read = new Reader(fh, size);
    const id3 = await id3Size(read, 0);
    switch (format) {
      case "mp3":
      case "aac":
        return id3;
      case "flac":
        return id3 + (await flacBlocks(read, id3, stopAfter));
      case "m4a":
        return await moovSize(read);
      case "wav":
      case "aiff":
        return await chunkBytes(read, format, stopAfter);
      case "ogg":
      case "opus":
        return await oggHeaderPages(read, stopAfter);
    }
  } finally {
    await fh.close();
  }
}

class Reader {
  constructor(
    private fh: FileHandle,
    readonly size: number,
  ) {}
  /** Up to `n` bytes at `pos` (fewer at the end of the file). */
  async at(pos: number, n: number): Promise<Buffer> {
    if (pos >= this.size || pos < 0) return Buffer.alloc(0);
    const buf = Buffer.alloc(Math.min(n, this.size - pos));
    const { bytesRead } = await this.fh.read(buf, 0, buf.length, pos);
    return buf.subarray(0, bytesRead);
  }
}

/** Size of an ID3v2 tag (header, frames, footer) at `pos`, or 0 if there is none. */
async function id3Size(read: Reader, pos: number): Promise<number> {
  const h = await read.at(pos, 10);
  if (h.length < 10 || h.toString("latin1", 0, 3) !== "ID3") return 0;
  const syncsafe = ((h[6] & 0x7f) << 21) | ((h[7] & 0x7f) << 14) | ((h[8] & 0x7f) << 7) | (h[9] & 0x7f);
  const footer = h[5] & 0x10 ? 10 : 0;
  return Math.min(read.size - pos, 10 + syncsafe + footer);
}

/** FLAC metadata blocks after the "fLaC" marker: STREAMINFO, tags, pictures, padding, … */
async function flacBlocks(read: Reader, start: number, stopAfter: number): Promise<number> {
  let pos = start + 4;
  for (let i = 0; i < 10_000 && pos < read.size; i++) {
    const h = await read.at(pos, 4);
    if (h.length < 4) break;
    pos += 4 + ((h[1] << 16) | (h[2] << 8) | h[3]);
    if (h[0] & 0x80 || pos - start > stopAfter) break; // last block
  }
  return Math.min(pos, read.size) - start;
}

/** Size of the top-level `moov` atom (all of an MP4's metadata, cover art included). */
async function moovSize(read: Reader): Promise<number> {
  let pos = 0;
  for (let i = 0; i < 10_000 && pos + 8 <= read.size; i++) {
    const h = await read.at(pos, 16);
    if (h.length < 8) break;
    let size = h.readUInt32BE(0);
    const type = h.toString("latin1", 4, 8);
    if (size === 1 && h.length >= 16) size = Number(h.readBigUInt64BE(8));
    else if (size === 0) size = read.size - pos; // "to the end of the file"
    if (size < 8) break; // nonsense: stop rather than loop
    if (type === "moov") return Math.min(size, read.size - pos);
    pos += size;
  }
  return 0;
}

/** RIFF/WAVE or IFF/AIFF: every chunk that is not the sound itself (LIST, id3, bext, …). */
async function chunkBytes(read: Reader, format: "wav" | "aiff", stopAfter: number): Promise<number> {
  const little = format === "wav";
  const soundChunk = little ? "data" : "SSND";
  let pos = 12;
  let meta = 0;
  for (let i = 0; i < 10_000 && pos + 8 <= read.size && meta <= stopAfter; i++) {
    const h = await read.at(pos, 8);
    const id = h.toString("latin1", 0, 4);
    const size = little ? h.readUInt32LE(4) : h.readUInt32BE(4);
    if (id !== soundChunk) meta += Math.min(size, read.size - pos - 8);
    pos += 8 + size + (size & 1);
  }
  return meta;
}

/** Ogg pages before the first page with audio (granule position set): headers and tags. */
async function oggHeaderPages(read: Reader, stopAfter: number): Promise<number> {
  let pos = 0;
  for (let i = 0; i < 100_000 && pos < read.size && pos <= stopAfter; i++) {
    const h = await read.at(pos, 27 + 255);
    if (h.length < 27 || h.toString("latin1", 0, 4) !== "OggS") break;
    const granule = h.readBigInt64LE(6);
    if (granule > 0n) break;
    const segments = h[26];
    let body = 0;
    for (let s = 0; s < segments; s++) body += h[27 + s] ?? 0;
    pos += 27 + segments + body;
  }
  return Math.min(pos, read.size);
}
