import { stat } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { makeCoverJpeg, makeSpeech, withHugeId3, withLyingWavHeader } from "@/test/audio";
import { metadataRegionBytes } from "./tag-region";

describe("metadataRegionBytes", () => {
  let cover: string;
  let coverBytes: number;
  beforeAll(async () => {
    cover = await makeCoverJpeg(256);
    coverBytes = (await stat(cover)).size;
  });

  it("counts an MP3's ID3 tag, however large it claims to be, without reading it", async () => {
    const mp3 = await makeSpeech("Hello.", { format: "mp3" });
    const huge = await withHugeId3(mp3, 2_000_000);
    expect(await metadataRegionBytes(huge, "mp3")).toBe(2_000_010);
  });

  it.each(["mp3", "flac", "m4a"] as const)("includes embedded cover art in %s", async (format) => {
    const plain = await metadataRegionBytes(await makeSpeech("Hello.", { format }), format);
    const withCover = await metadataRegionBytes(await makeSpeech("Hello.", { format, cover }), format);
    expect(withCover - plain).toBeGreaterThanOrEqual(coverBytes);
  });

  it("does not count a WAV's sound, even when its header claims 4 GB of it", async () => {
    const wav = await makeSpeech("Hello.", { format: "wav", tags: { title: "A title" } });
    expect(await metadataRegionBytes(await withLyingWavHeader(wav), "wav")).toBeLessThan(1000);
  });

  it("counts Ogg header pages up to the first audio page", async () => {
    const opus = await makeSpeech("Hello there, this is long enough for several pages.", { format: "opus", tags: { comment: "x".repeat(5000) } });
    const region = await metadataRegionBytes(opus, "opus");
    expect(region).toBeGreaterThan(5000);
    expect(region).toBeLessThan(8000);
  });

  it("stops counting past the limit it is given", async () => {
    const mp3 = await withHugeId3(await makeSpeech("Hello.", { format: "mp3" }), 3_000_000);
    expect(await metadataRegionBytes(mp3, "mp3", 1000)).toBeGreaterThan(1000);
  });
});
