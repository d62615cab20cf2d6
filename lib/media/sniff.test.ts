import { describe, expect, it } from "vitest";
import { describeNonImage, sniffImageType, SNIFF_BYTES } from "./sniff";
import { makeAvif, makeGif, makeJpeg, makePng, makeWebp } from "@/test/test-images";

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));

/** An ISO-BMFF ftyp box: size, "ftyp", major brand, minor version, compatible brands. */
const ftyp = (major: string, ...compatible: string[]) => {
  const size = 16 + 4 * compatible.length;
  return bytes([0, 0, 0, size], "ftyp", major, [0, 0, 0, 0], ...compatible);
};

describe("sniffImageType", () => {
  it.each([
    ["JPEG", bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], "JFIF"), "image/jpeg", "jpg"],
    ["PNG", bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], "IHDR"), "image/png", "png"],
    ["GIF87a", bytes("GIF87a", [1, 0, 1, 0]), "image/gif", "gif"],
    ["GIF89a", bytes("GIF89a", [1, 0, 1, 0]), "image/gif", "gif"],
    ["WebP", bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 "), "image/webp", "webp"],
    ["HEIC (heic)", ftyp("heic", "mif1", "heic"), "image/heic", "heic"],
    ["HEIC (heix)", ftyp("heix", "mif1"), "image/heic", "heic"],
    ["HEIC (hevc sequence)", ftyp("hevc", "msf1"), "image/heic", "heic"],
    ["HEIF (mif1 only)", ftyp("mif1", "heim", "heis"), "image/heic", "heic"],
    ["AVIF", ftyp("avif", "mif1", "miaf"), "image/avif", "avif"],
    ["AVIF sequence", ftyp("avis", "msf1"), "image/avif", "avif"],
    ["AVIF with generic major brand", ftyp("mif1", "miaf", "avif"), "image/avif", "avif"],
  ])("recognises %s", (_name, head, mime, ext) => {
    expect(sniffImageType(head)).toEqual({ mime, ext });
  });

  it("recognises files produced by the test-image helpers", async () => {
    const opts = { width: 16, height: 16, seed: 1 };
    expect(sniffImageType(await makeJpeg(opts))?.mime).toBe("image/jpeg");
    expect(sniffImageType(await makePng(opts))?.mime).toBe("image/png");
    expect(sniffImageType(await makeWebp(opts))?.mime).toBe("image/webp");
    expect(sniffImageType(await makeGif(opts))?.mime).toBe("image/gif");
    expect(sniffImageType((await makeAvif(opts)).subarray(0, SNIFF_BYTES))?.mime).toBe("image/avif");
  });

  it("rejects ISO-BMFF video (MP4/MOV)", () => {
    expect(sniffImageType(ftyp("isom", "iso2", "avc1", "mp41"))).toBeNull();
    expect(sniffImageType(ftyp("qt  ", "qt  "))).toBeNull();
  });

  it("returns null for empty and truncated input instead of throwing", () => {
    expect(sniffImageType(new Uint8Array())).toBeNull();
    expect(sniffImageType(bytes([0xff, 0xd8]))).toBeNull(); // JPEG needs three bytes
    expect(sniffImageType(bytes([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
    expect(sniffImageType(bytes("GIF8"))).toBeNull();
    expect(sniffImageType(bytes("RIFF", [0, 0, 0, 0], "WE"))).toBeNull();
    expect(sniffImageType(bytes([0, 0, 0, 0x18], "ftyp"))).toBeNull();
    expect(sniffImageType(bytes([0, 0, 0, 4], "ftypheic"))).toBeNull(); // nonsense box size
  });

  it("does not trust the file name: a text file named photo.jpg is not an image", () => {
    const head = new TextEncoder().encode("Hello, this is not really photo.jpg\n");
    expect(sniffImageType(head)).toBeNull();
    expect(describeNonImage(head)).toBe("a plain text file");
  });

  it("needs no more than SNIFF_BYTES bytes", () => {
    const long = ftyp("mif1", "miaf", "MA1B", "avif");
    expect(long.length).toBeLessThanOrEqual(SNIFF_BYTES);
    expect(sniffImageType(long)?.mime).toBe("image/avif");
  });
});

describe("describeNonImage", () => {
  it.each([
    ["PDF", bytes("%PDF-1.7\n%âãÏÓ\n"), "a PDF"],
    ["ZIP", bytes("PK", [3, 4, 20, 0, 0, 0]), "a ZIP archive"],
    ["gzip", bytes([0x1f, 0x8b, 8, 0]), "a gzip archive"],
    ["HTML", bytes("\n  <!DOCTYPE html>\n<html lang=en>"), "an HTML page"],
    ["HTML without doctype", bytes("<html><head><title>x"), "an HTML page"],
    ["SVG", bytes("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\">"), "an SVG drawing"],
    ["SVG with XML prolog", bytes('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'), "an SVG drawing"],
    ["XML", bytes('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">'), "an XML document"],
    ["MP4", ftyp("isom", "iso2", "avc1", "mp41"), "an MP4 video"],
    ["MOV", ftyp("qt  ", "qt  "), "a QuickTime (MOV) video"],
    ["MP3 (ID3)", bytes("ID3", [4, 0, 0, 0, 0, 0, 0]), "an MP3 audio file"],
    ["MP3 (frame sync)", bytes([0xff, 0xfb, 0x90, 0x64]), "an MP3 audio file"],
    ["WAV", bytes("RIFF", [0x24, 0, 0, 0], "WAVEfmt "), "a WAV audio file"],
    ["TIFF", bytes("II*\0", [8, 0, 0, 0]), "a TIFF image"],
    ["BMP", bytes("BM", [0x36, 0, 0, 0]), "a BMP image"],
    ["plain text", bytes("Just some notes\nline two\n"), "a plain text file"],
    ["UTF-8 text cut mid-character", Uint8Array.from([...new TextEncoder().encode("Grüße aus K"), 0xc3]), "a plain text file"],
    ["JSON", bytes('{"name": "framecast"}'), "a JSON or text file"],
    ["random binary", bytes([0x00, 0x13, 0x37, 0x00, 0xde, 0xad, 0xbe, 0xef]), "unknown"],
  ])("names %s", (_name, head, expected) => {
    expect(describeNonImage(head)).toBe(expected);
  });

  it("handles empty and one-byte input", () => {
    expect(describeNonImage(new Uint8Array())).toBe("an empty file");
    expect(describeNonImage(bytes([0x00]))).toBe("unknown");
    expect(describeNonImage(bytes("a"))).toBe("a plain text file");
  });
});
