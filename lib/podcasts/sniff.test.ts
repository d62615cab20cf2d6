import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { audioDir, headOf, makeSpeech, makeTone } from "@/test/audio";
import { makeJpeg, makePng } from "@/test/test-images";
import { AUDIO_SNIFF_BYTES, describeNonAudio, notAudioMessage, sniffAudioType } from "./sniff";

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));

const ftyp = (major: string, ...compatible: string[]) => bytes([0, 0, 0, 16 + 4 * compatible.length], "ftyp", major, [0, 0, 0, 0], ...compatible);

/** The first page of an Ogg stream whose first packet starts with `packet`. */
const oggPage = (packet: number[] | string) => bytes("OggS", [0, 2], [0, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [1, 30], packet);

describe("sniffAudioType", () => {
  it.each([
    ["mp3", "mp3", "audio/mpeg"],
    ["m4a", "m4a", "audio/mp4"],
    ["wav", "wav", "audio/wav"],
    ["flac", "flac", "audio/flac"],
    ["opus", "opus", "audio/ogg"],
    ["ogg", "ogg", "audio/ogg"],
  ] as const)("recognises real %s files made by ffmpeg", async (format, expected, mime) => {
    const file = await makeSpeech("Hello there.", { format });
    const head = await headOf(file, AUDIO_SNIFF_BYTES);
    expect(sniffAudioType(head)).toMatchObject({ format: expected, mime });
  });

  it("recognises an MP3 without an ID3 tag by its frame header, raw AAC (ADTS) and AIFF", async () => {
    const tone = await makeTone(1, { format: "wav" });
    const out = (name: string, ...args: string[]) => {
      const file = path.join(audioDir(), name);
      execFileSync("ffmpeg", ["-v", "error", "-y", "-i", tone, ...args, file]);
      return file;
    };
    expect(sniffAudioType(await headOf(out("bare.mp3", "-c:a", "libmp3lame", "-id3v2_version", "0"))))?.toMatchObject({ format: "mp3" });
    expect(sniffAudioType(await headOf(out("raw.aac", "-c:a", "aac", "-f", "adts"))))?.toMatchObject({ format: "aac", mime: "audio/aac" });
    expect(sniffAudioType(await headOf(out("x.aiff"))))?.toMatchObject({ format: "aiff" });
  });

  it.each([
    ["M4A brand", ftyp("M4A ", "M4A ", "mp42", "isom"), "m4a"],
    ["audiobook brand", ftyp("M4B ", "isom"), "m4a"],
    ["generic MP4 brand (phone recorders)", ftyp("isom", "iso2", "mp41"), "m4a"],
    ["RF64 (WAV over 4 GB)", bytes("RF64", [0xff, 0xff, 0xff, 0xff], "WAVEds64"), "wav"],
    ["Ogg Vorbis", oggPage([1, ...bytes("vorbis")]), "ogg"],
    ["Ogg Opus", oggPage("OpusHead"), "opus"],
    ["Ogg FLAC", oggPage([0x7f, ...bytes("FLAC")]), "ogg"],
  ])("recognises %s", (_name, head, format) => {
    expect(sniffAudioType(head)?.format).toBe(format);
  });

  it.each([
    ["a text file named episode.mp3", bytes("These are my show notes, not audio.\n")],
    ["QuickTime", ftyp("qt  ", "qt  ")],
    ["HEIC", ftyp("heic", "mif1")],
    ["bytes that start with 0xFF but are no frame", bytes([0xff, 0xff, 0xff, 0xff, 0, 0, 0])],
    ["an MPEG header with a reserved version", bytes([0xff, 0xeb, 0x90, 0x64])],
    ["an MPEG header with a bad bitrate", bytes([0xff, 0xfb, 0xf0, 0x64])],
    ["WebP (RIFF, not WAVE)", bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 ")],
    ["Ogg Theora", oggPage([0x80, ...bytes("theora")])],
    ["empty", new Uint8Array()],
    ["truncated", bytes("RIFF", [0, 0])],
  ])("rejects %s", (_name, head) => {
    expect(sniffAudioType(head)).toBeNull();
  });
});

describe("describeNonAudio", () => {
  it("names photos, documents and text so the refusal makes sense", async () => {
    expect(describeNonAudio(await makeJpeg({ width: 8, height: 8 }))).toBe("a JPEG image");
    expect(describeNonAudio((await makePng({ width: 8, height: 8 })).subarray(0, 64))).toBe("a PNG image");
    expect(describeNonAudio(bytes("%PDF-1.7\n"))).toBe("a PDF");
    expect(describeNonAudio(bytes("These are my show notes, not audio.\n"))).toBe("a plain text file");
    expect(describeNonAudio(bytes("<!DOCTYPE html><html>"))).toBe("an HTML page");
    expect(describeNonAudio(ftyp("qt  ", "qt  "))).toBe("a QuickTime (MOV) video");
    expect(describeNonAudio(oggPage([0x80, ...bytes("theora")]))).toBe("an Ogg video");
    expect(describeNonAudio(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f]))).toBe("a WebM or MKV video");
    expect(describeNonAudio(new Uint8Array())).toBe("an empty file");
    expect(describeNonAudio(bytes([0xff, 0xff, 0xff, 0xff, 0, 0, 0]))).toBe("unknown");
  });
});

describe("notAudioMessage", () => {
  it("says what the file looks like and what to upload instead", () => {
    expect(notAudioMessage(bytes("%PDF-1.7\n"))).toBe("This is not an audio file: it looks like a PDF. Please upload MP3, M4A/AAC, WAV, FLAC or Ogg/Opus.");
    expect(notAudioMessage(bytes([0x00, 0x13, 0x37, 0x00]))).toBe("This file is not audio in a format we take (MP3, M4A/AAC, WAV, FLAC or Ogg/Opus).");
  });
});
