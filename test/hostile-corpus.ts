// A corpus of hostile and odd uploads, generated at test time (sharp, zlib and Buffer) so
// no suspicious binaries live in the repository. Each case says what the server must do
// with it: refuse it at upload with a 4xx and a readable message ("rejected"), accept it
// and let the analysis fail with a readable message ("failed"), or process it normally
// because it is harmless once stored under a random key, served as an attachment and
// re-encoded for thumbnails ("done").
import { crc32, deflateSync } from "node:zlib";
import sharp from "sharp";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { audioDir, makeSilence, makeSpeech, truncated, withHugeId3, withLyingWavHeader } from "@/test/audio";
import { corruptJpeg, makeJpeg, makePng, makeWebp } from "@/test/test-images";

export type Outcome = "rejected" | "failed" | "done";

export interface HostileCase {
  id: string;
  /** What the file is, for the results table. */
  what: string;
  /** The file name the client sends (it is never used as a path). */
  filename: string;
  /** The Content-Type the client claims (never trusted). */
  contentType: string;
  bytes: Buffer;
  expect: Outcome;
  /** For "rejected": the HTTP status. */
  status?: number;
  /** The message the person sees (rejection or failure) must match this. */
  message?: RegExp;
  /** For "done": the display name the server must keep. */
  name?: string;
}

export interface CorpusLimits {
  maxFileBytes: number;
  maxPixels: number;
  maxFrames: number;
}

// --- byte-level builders ---------------------------------------------------------------

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG whose header claims width × height; `idat` is whatever pixel data follows. */
function pngWithHeader(width: number, height: number, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([PNG_SIGNATURE, pngChunk("IHDR", ihdr), pngChunk("IDAT", idat), pngChunk("IEND", Buffer.alloc(0))]);
}

/** A real, valid greyscale PNG of all-black rows: megapixels of zeros in a few hundred KB. */
function pngBomb(width: number, height: number): Buffer {
  const row = Buffer.alloc(width + 1); // filter byte 0 + zeros
  const rows = Buffer.alloc(row.length * height);
  return pngWithHeader(width, height, deflateSync(rows, { level: 9 }));
}

/** Rewrites the frame size in a JPEG's SOF0/SOF2 header. */
function patchJpegSize(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i < out.length - 9; ) {
    if (out[i] !== 0xff) break;
    const marker = out[i + 1];
    const length = out.readUInt16BE(i + 2);
    if (marker === 0xc0 || marker === 0xc2) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + length;
  }
  throw new Error("no SOF marker found");
}

/** Inserts a segment (marker + payload) right after a JPEG's SOI. */
function jpegWithSegment(jpeg: Buffer, marker: number, payload: Buffer): Buffer {
  if (payload.length > 65_533) throw new Error("JPEG segment payload too long");
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, payload, jpeg.subarray(2)]);
}

/** A GIF of `frames` 1×1 frames, written by hand (sharp would take minutes for thousands). */
function manyFrameGif(frames: number): Buffer {
  const header = Buffer.from("GIF89a", "latin1");
  // 1×1 logical screen, global colour table of 2 entries (black, white).
  const screen = Buffer.from([1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff]);
  const loop = Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from("NETSCAPE2.0", "latin1"), 0x03, 0x01, 0x00, 0x00, 0x00]);
  const frame = Buffer.from([
    0x21, 0xf9, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00, // graphic control: 20 ms delay
    0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0x00, // image descriptor: 1×1 at 0,0
    0x02, 0x02, 0x44, 0x01, 0x00, // LZW min size 2; codes clear, 0, end
  ]);
  return Buffer.concat([header, screen, loop, Buffer.concat(Array(frames).fill(frame)), Buffer.from([0x3b])]);
}

/** A GIF whose logical screen and only frame claim width × height. */
function hugeGif(width: number, height: number): Buffer {
  const b = manyFrameGif(1);
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  const descriptor = b.indexOf(0x2c, 13 + 19);
  b.writeUInt16LE(width, descriptor + 5);
  b.writeUInt16LE(height, descriptor + 7);
  return b;
}

/**
 * A real two-frame animated WebP whose VP8X header is patched to claim a width × height
 * canvas (libwebp allows up to 16,383 a side): the frames stay 16 × 16.
 */
async function hugeAnimatedWebp(width: number, height: number): Promise<Buffer> {
  const frames = await Promise.all([1, 2].map((seed) => makePng({ width: 16, height: 16, seed })));
  const webp = await sharp(frames, { join: { animated: true } }).webp().toBuffer();
  const vp8x = webp.indexOf(Buffer.from("VP8X", "latin1"));
  webp.writeUIntLE(width - 1, vp8x + 12, 3);
  webp.writeUIntLE(height - 1, vp8x + 15, 3);
  return webp;
}

/** A minimal ZIP archive holding one stored file. */
function zipWith(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const fname = Buffer.from(name);
  const crc = crc32(data) >>> 0;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fname.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fname.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + fname.length, 12);
  end.writeUInt32LE(30 + fname.length + data.length, 16);
  return Buffer.concat([local, fname, data, central, fname, end]);
}

/** A TIFF header ("II*\0") with an IFD offset that points back at itself: an EXIF loop. */
function loopingExif(): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  tiff.write("II*\0", 0, "latin1");
  tiff.writeUInt32LE(8, 4); // IFD0 at 8
  tiff.writeUInt16LE(1, 8); // one entry
  tiff.writeUInt16LE(0x8769, 10); // ExifIFD pointer…
  tiff.writeUInt16LE(4, 12); // LONG
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(8, 18); // …pointing back to IFD0
  tiff.writeUInt32LE(8, 22); // next IFD: IFD0 again
  return Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
}

/** An EXIF block as large as one JPEG segment allows, mostly one enormous text tag. */
function hugeExif(): Buffer {
  const text = Buffer.from("A".repeat(65_000) + "\0", "latin1");
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  tiff.write("II*\0", 0, "latin1");
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8);
  tiff.writeUInt16LE(0x010e, 10); // ImageDescription
  tiff.writeUInt16LE(2, 12); // ASCII
  tiff.writeUInt32LE(text.length, 14);
  tiff.writeUInt32LE(tiff.length, 18); // value right after the IFD
  tiff.writeUInt32LE(0, 22);
  return Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff, text]).subarray(0, 65_533);
}

// --- the corpus ------------------------------------------------------------------------

const mp = (n: number) => `${Math.round(n / 100_000) / 10}`;

export async function buildHostileCorpus(limits: CorpusLimits): Promise<HostileCase[]> {
  const photo = await makeJpeg({ width: 320, height: 240, seed: 5 });
  const photoExif = await makeJpeg({ width: 320, height: 240, seed: 6, exif: true });
  const png = await makePng({ width: 200, height: 150, seed: 8 });
  const script = "<script>alert(document.cookie)</script>";
  const html = `<!doctype html><html><body>${script}</body></html>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">${script}<rect width="10" height="10"/></svg>`;
  const side = Math.ceil(Math.sqrt(limits.maxPixels * 1.2)); // just over the pixel limit
  const cmyk = await sharp({ create: { width: 160, height: 120, channels: 3, background: "#3366cc" } })
    .toColourspace("cmyk")
    .jpeg()
    .toBuffer();
  const png16 = await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 200, g: 10, b: 10, alpha: 0.5 } } })
    .png({ palette: false })
    .toColourspace("rgb16")
    .toBuffer();
  const webp = await makeWebp({ width: 120, height: 90, seed: 9 });
  const pngIdat = png.indexOf(Buffer.from("IDAT", "latin1"));

  const notAPhoto = (kind: RegExp) => new RegExp(`is not a photo we can read.*${kind.source}`);
  const cases: HostileCase[] = [
    // Not images at all, whatever the name says.
    { id: "zero-bytes", what: "An empty file named .jpg", filename: "empty.jpg", contentType: "image/jpeg", bytes: Buffer.alloc(0), expect: "rejected", status: 415, message: notAPhoto(/an empty file/) },
    { id: "text-named-jpg", what: "A plain text file named .jpg", filename: "notes.jpg", contentType: "image/jpeg", bytes: Buffer.from("Dear diary, this is not a photo.\n".repeat(8)), expect: "rejected", status: 415, message: notAPhoto(/a plain text file/) },
    { id: "html-named-jpg", what: "An HTML page with a script, named .jpg", filename: "page.jpg", contentType: "image/jpeg", bytes: Buffer.from(html), expect: "rejected", status: 415, message: notAPhoto(/an HTML page/) },
    { id: "svg-with-script", what: "An SVG drawing carrying a <script>", filename: "drawing.svg", contentType: "image/svg+xml", bytes: Buffer.from(svg), expect: "rejected", status: 415, message: notAPhoto(/an SVG drawing/) },
    { id: "svg-named-png", what: "An SVG with an XML prolog, named .png and sent as image/png", filename: "icon.png", contentType: "image/png", bytes: Buffer.from(`<?xml version="1.0"?>\n${svg}`), expect: "rejected", status: 415, message: notAPhoto(/an SVG drawing/) },
    { id: "pdf-named-jpg", what: "A PDF named .jpg", filename: "scan.jpg", contentType: "image/jpeg", bytes: Buffer.from("%PDF-1.7\n1 0 obj <<>> endobj\n" + "x".repeat(100)), expect: "rejected", status: 415, message: notAPhoto(/a PDF/) },
    { id: "zip-named-jpg", what: "A ZIP archive named .jpg", filename: "archive.jpg", contentType: "image/jpeg", bytes: zipWith("payload.html", html), expect: "rejected", status: 415, message: notAPhoto(/a ZIP archive/) },
    { id: "elf-named-jpg", what: "A Linux executable header named .jpg", filename: "program.jpg", contentType: "image/jpeg", bytes: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120, 0x90)]), expect: "rejected", status: 415, message: /is not a photo we can read\. Please upload/ },
    { id: "tiff", what: "A TIFF image (not an accepted format)", filename: "scan.tif", contentType: "image/tiff", bytes: await sharp(png).tiff().toBuffer(), expect: "rejected", status: 415, message: notAPhoto(/a TIFF image/) },
    { id: "bmp", what: "A BMP header (not an accepted format)", filename: "paint.bmp", contentType: "image/bmp", bytes: Buffer.concat([Buffer.from("BM", "latin1"), Buffer.alloc(100)]), expect: "rejected", status: 415, message: notAPhoto(/a BMP image/) },

    // Decompression bombs and absurd headers: refused from the header, before any decode.
    { id: "png-50000x50000-header", what: "A PNG whose header claims 50,000 × 50,000 pixels", filename: "huge.png", contentType: "image/png", bytes: pngWithHeader(50_000, 50_000, deflateSync(Buffer.alloc(1000))), expect: "rejected", status: 413, message: /50,000 × 50,000 pixels; the limit is/ },
    { id: "png-bomb", what: `A valid PNG of ${side.toLocaleString("en-US")} × ${side.toLocaleString("en-US")} black pixels (${mp(side * side)} MP in a small file)`, filename: "bomb.png", contentType: "image/png", bytes: pngBomb(side, side), expect: "rejected", status: 413, message: /pixels; the limit is/ },
    { id: "jpeg-65500x65500-header", what: "A JPEG whose frame header claims 65,500 × 65,500 pixels", filename: "giant.jpg", contentType: "image/jpeg", bytes: patchJpegSize(photo, 65_500, 65_500), expect: "rejected", status: 413, message: /65,500 × 65,500 pixels; the limit is/ },
    { id: "gif-65535x65535-header", what: "A GIF whose screen claims 65,535 × 65,535 pixels", filename: "giant.gif", contentType: "image/gif", bytes: hugeGif(65_535, 65_535), expect: "rejected", status: 413, message: /65,535 × 65,535 pixels; the limit is/ },
    { id: "webp-16383x16383-canvas", what: "An animated WebP whose canvas claims 16,383 × 16,383 pixels", filename: "giant.webp", contentType: "image/webp", bytes: await hugeAnimatedWebp(16_383, 16_383), expect: "rejected", status: 413, message: /16,383 × 16,383 pixels; the limit is/ },
    { id: "gif-5000-frames", what: "An animated GIF with 5,000 frames", filename: "flipbook.gif", contentType: "image/gif", bytes: manyFrameGif(5_000), expect: "rejected", status: 413, message: new RegExp(`5,000 frames; the limit is ${limits.maxFrames.toLocaleString("en-US")}`) },
    { id: "over-size-limit", what: `A JPEG padded past the ${mp(limits.maxFileBytes / 1.048576)} MB file limit`, filename: "big.jpg", contentType: "image/jpeg", bytes: Buffer.concat([photo, Buffer.alloc(limits.maxFileBytes + 1024)]), expect: "rejected", status: 413, message: /is larger than the .* limit/ },

    // Broken images: they look like photos, so the decoder finds out (or the header read).
    { id: "truncated-jpeg", what: "A JPEG cut off at 60 % (an interrupted upload)", filename: "cut.jpg", contentType: "image/jpeg", bytes: await corruptJpeg("truncated"), expect: "failed", message: /damaged or incomplete/ },
    { id: "jpeg-garbage-scan", what: "A JPEG with valid headers and noise instead of image data", filename: "noise.jpg", contentType: "image/jpeg", bytes: await corruptJpeg("garbage"), expect: "failed", message: /damaged or incomplete/ },
    { id: "jpeg-header-only", what: "Only the first 3 bytes of a JPEG (the magic number)", filename: "stub.jpg", contentType: "image/jpeg", bytes: photo.subarray(0, 3), expect: "rejected", status: 422, message: /damaged or incomplete/ },
    { id: "png-bad-crc", what: "A PNG whose image-data checksum is wrong", filename: "crc.png", contentType: "image/png", bytes: (() => { const b = Buffer.from(png); b[pngIdat + 6] ^= 0xff; return b; })(), expect: "failed", message: /damaged or incomplete/ },
    { id: "png-truncated", what: "A PNG cut off inside its image data", filename: "half.png", contentType: "image/png", bytes: png.subarray(0, pngIdat + 200), expect: "failed", message: /damaged or incomplete/ },
    { id: "webp-truncated", what: "A WebP cut off after its header", filename: "half.webp", contentType: "image/webp", bytes: webp.subarray(0, 40), expect: "rejected", status: 422, message: /damaged or incomplete/ },
    { id: "heic-brand-garbage", what: "An HEIC file type box followed by noise", filename: "phone.heic", contentType: "image/heic", bytes: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypheic\0\0\0\0mif1heic", "latin1"), Buffer.alloc(300, 7)]), expect: "rejected", status: 422, message: /damaged or incomplete|can't decode/ },

    // Polyglots and hostile metadata: valid photos carrying extra payloads. Harmless here:
    // stored under a random key, downloaded as an attachment with nosniff, and only
    // re-encoded pixels reach a thumbnail.
    { id: "jpeg-zip-polyglot", what: "A valid JPEG with a ZIP archive appended (opens as either)", filename: "polyglot.jpg", contentType: "image/jpeg", bytes: Buffer.concat([photo, zipWith("evil.html", html)]), expect: "done", name: "polyglot.jpg" },
    { id: "jpeg-html-polyglot", what: "A valid JPEG with an HTML <script> in a comment segment and after the image", filename: "polyglot-html.jpg", contentType: "text/html", bytes: Buffer.concat([jpegWithSegment(photo, 0xfe, Buffer.from(html)), Buffer.from(html)]), expect: "done", name: "polyglot-html.jpg" },
    { id: "oversized-exif", what: "A JPEG whose EXIF block is a 64 KB text tag", filename: "exif-huge.jpg", contentType: "image/jpeg", bytes: jpegWithSegment(photo, 0xe1, hugeExif()), expect: "done", name: "exif-huge.jpg" },
    { id: "looping-exif", what: "A JPEG whose EXIF directories point at each other in a loop", filename: "exif-loop.jpg", contentType: "image/jpeg", bytes: jpegWithSegment(photo, 0xe1, loopingExif()), expect: "done", name: "exif-loop.jpg" },
    { id: "lying-content-type", what: "A PNG named .jpg and sent as image/jpeg", filename: "really-a-png.jpg", contentType: "image/jpeg", bytes: png, expect: "done", name: "really-a-png.jpg" },
    { id: "cmyk-jpeg", what: "A CMYK JPEG (print colour space)", filename: "print.jpg", contentType: "image/jpeg", bytes: cmyk, expect: "done", name: "print.jpg" },
    { id: "png-16bit-alpha", what: "A 16-bit PNG with half-transparent pixels", filename: "deep.png", contentType: "image/png", bytes: png16, expect: "done", name: "deep.png" },
    { id: "extreme-aspect", what: "A 20,000 × 1 pixel PNG strip", filename: "strip.png", contentType: "image/png", bytes: await sharp({ create: { width: 20_000, height: 1, channels: 3, background: "#884422" } }).png().toBuffer(), expect: "done", name: "strip.png" },

    // Hostile names on a valid photo: kept as given for display (control characters
    // dropped, long ones cut between whole characters), never used as a path.
    { id: "unicode-filename", what: "A photo named in several scripts with an emoji", filename: "Ünïcødé 写真 фото 📷.jpg", contentType: "image/jpeg", bytes: photoExif, expect: "done", name: "Ünïcødé 写真 фото 📷.jpg" },
    { id: "path-traversal-filename", what: "A photo named ../../../../etc/passwd.jpg", filename: "../../../../etc/passwd.jpg", contentType: "image/jpeg", bytes: photo, expect: "done", name: "../../../../etc/passwd.jpg" },
    { id: "windows-traversal-filename", what: "A photo named ..\\..\\Windows\\System32\\evil.jpg", filename: "..\\..\\Windows\\System32\\evil.jpg", contentType: "image/jpeg", bytes: photo, expect: "done", name: "..\\..\\Windows\\System32\\evil.jpg" },
    { id: "header-injection-filename", what: "A photo whose name holds quotes, CR/LF and a Set-Cookie line", filename: 'a"b\r\nSet-Cookie: pwned=1.jpg', contentType: "image/jpeg", bytes: photo, expect: "done" },
    { id: "html-filename", what: "A photo named <img src=x onerror=alert(1)>.jpg", filename: "<img src=x onerror=alert(1)>.jpg", contentType: "image/jpeg", bytes: photo, expect: "done", name: "<img src=x onerror=alert(1)>.jpg" },
    { id: "script-filename", what: "A photo named <script>alert(1)</script>.jpg (a slash inside)", filename: "<script>alert(1)</script>.jpg", contentType: "image/jpeg", bytes: photo, expect: "done", name: "<script>alert(1)</script>.jpg" },
    { id: "long-filename", what: "A photo with a 1,000-character name", filename: `${"a".repeat(1_000)}.jpg`, contentType: "image/jpeg", bytes: photo, expect: "done", name: `${"a".repeat(195)}….jpg` },
    { id: "long-emoji-filename", what: "A photo named x and 300 emoji (600 UTF-16 code units)", filename: `x${"😀".repeat(300)}.jpg`, contentType: "image/jpeg", bytes: photo, expect: "done", name: `x${"😀".repeat(97)}….jpg` },
    { id: "dot-filename", what: 'A photo named ".." (a directory reference)', filename: "..", contentType: "image/jpeg", bytes: photo, expect: "done", name: "photo" },
  ];
  return cases;
}

// --- audio (episode uploads) ---------------------------------------------------------------

export interface AudioCorpusLimits {
  /** MAX_PIXELS of the run: cover art above it is not used (its header says so). */
  maxPixels: number;
}

const SPEECH = "This is a hostile corpus episode. It should be handled calmly, whatever its wrapping.";

/**
 * Hostile and odd audio for POST /api/v1/episodes. "done" means analysed and waiting for
 * review (the file was usable), "failed" a readable failure of the analysis, "rejected" a
 * 4xx at upload.
 */
export async function buildAudioCorpus(limits: AudioCorpusLimits): Promise<HostileCase[]> {
  const mp3 = await makeSpeech(SPEECH, { format: "mp3", seconds: 10, tags: { title: "Tagged title" } });
  const wav = await makeSpeech(SPEECH, { format: "wav", seconds: 10 });
  const flac = await makeSpeech(SPEECH, { format: "flac", seconds: 30 });
  // A real PNG just over the pixel limit: all black, so it deflates to a few hundred KB.
  const side = Math.ceil(Math.sqrt(limits.maxPixels * 1.2));
  const bombFile = path.join(audioDir(), "bomb-cover.png");
  await writeFile(bombFile, pngBomb(side, side));
  const bombCover = await makeSpeech(SPEECH, { format: "mp3", seconds: 10, cover: bombFile });
  const silence = await makeSilence(10, { format: "mp3" });
  const audio = "audio/mpeg";
  return [
    { id: "text-named-mp3", what: "A plain text file named .mp3", filename: "episode.mp3", contentType: audio, bytes: Buffer.from("Episode notes, not a recording.\n".repeat(20)), expect: "rejected", status: 415, message: /episode\.mp3: This is not an audio file: it looks like a plain text file/ },
    { id: "pdf-named-mp3", what: "A PDF named .mp3", filename: "script.mp3", contentType: audio, bytes: Buffer.from("%PDF-1.7\n1 0 obj <<>> endobj\n" + "x".repeat(100)), expect: "rejected", status: 415, message: /looks like a PDF/ },
    { id: "jpeg-named-mp3", what: "A JPEG photo named .mp3", filename: "cover.mp3", contentType: audio, bytes: await makeJpeg({ width: 64, height: 64, seed: 5 }), expect: "rejected", status: 415, message: /looks like a JPEG image/ },
    { id: "empty-mp3", what: "An empty file named .mp3", filename: "empty.mp3", contentType: audio, bytes: Buffer.alloc(0), expect: "rejected", status: 415, message: /empty/ },
    { id: "mp3-huge-id3", what: "An MP3 behind a 20 MB ID3 tag (more than the 16 MB the tag reader loads)", filename: "huge-tag.mp3", contentType: audio, bytes: await readFile(await withHugeId3(mp3, 20 * 1024 * 1024)), expect: "done" },
    { id: "wav-claims-4gb", what: "A 10 s WAV whose RIFF and data headers claim about 4 GB", filename: "liar.wav", contentType: "audio/wav", bytes: await readFile(await withLyingWavHeader(wav)), expect: "done" },
    { id: "flac-truncated", what: "A 30 s FLAC cut off at half its bytes (an interrupted upload)", filename: "half.flac", contentType: "audio/flac", bytes: await readFile(await truncated(flac, 0.5)), expect: "failed", message: /ends early/ },
    { id: "mp3-garbage", what: "An ID3 tag followed by noise instead of audio frames", filename: "noise.mp3", contentType: audio, bytes: Buffer.concat([Buffer.from("ID3\x03\x00\x00\x00\x00\x00\x00", "latin1"), Buffer.alloc(50_000, 7)]), expect: "failed", message: /could not be decoded|no audio track/ },
    { id: "mp3-image-bomb-cover", what: `An MP3 whose cover art is a ${side.toLocaleString("en-US")} × ${side.toLocaleString("en-US")} PNG (just over the pixel limit)`, filename: "bomb.mp3", contentType: audio, bytes: await readFile(bombCover), expect: "done", message: /cover art in the file was not used/ },
    { id: "silence", what: "Ten seconds of digital silence", filename: "quiet.mp3", contentType: audio, bytes: await readFile(silence), expect: "done", message: /No speech/ },
    { id: "unicode-filename", what: "An MP3 named in several scripts with an emoji and a slash (kept: a name, not a path)", filename: "../Épisode 写真 🎙️.mp3", contentType: audio, bytes: await readFile(mp3), expect: "done", name: "../Épisode 写真 🎙️.mp3" },
  ];
}

// --- requests (your data: bulk delete, account deletion) ---------------------------------

export interface HostileRequest {
  id: string;
  what: string;
  /** Which route gets it: POST /api/v1/media/delete or DELETE /api/account. */
  route: "bulk-delete" | "delete-account";
  body: string;
  status: number;
  /** The message (or a field's message) the person sees must match this. */
  message?: RegExp;
}

const uuidLike = "00000000-0000-4000-8000-000000000000";

/** Bodies that must be refused with a readable reason, deleting nothing. */
export const HOSTILE_DATA_REQUESTS: HostileRequest[] = [
  { id: "bulk-not-json", what: "A bulk delete whose body is not JSON", route: "bulk-delete", body: "ids=1,2,3", status: 400, message: /must be JSON/ },
  { id: "bulk-ids-string", what: "ids as one comma-separated string", route: "bulk-delete", body: JSON.stringify({ ids: `${uuidLike},${uuidLike}` }), status: 422 },
  { id: "bulk-empty", what: "An empty list of ids", route: "bulk-delete", body: JSON.stringify({ ids: [] }), status: 422, message: /at least one/ },
  { id: "bulk-too-many", what: "201 ids (one more than a bulk delete takes)", route: "bulk-delete", body: JSON.stringify({ ids: Array.from({ length: 201 }, () => uuidLike) }), status: 422, message: /at most 200/ },
  { id: "bulk-traversal", what: "An id that is a path (../../etc/passwd)", route: "bulk-delete", body: JSON.stringify({ ids: ["../../etc/passwd"] }), status: 422, message: /Not a photo id/ },
  { id: "bulk-sql", what: "An id that is SQL (' OR 1=1 --)", route: "bulk-delete", body: JSON.stringify({ ids: ["' OR 1=1 --"] }), status: 422, message: /Not a photo id/ },
  { id: "bulk-wildcard", what: "An id that is a wildcard (*)", route: "bulk-delete", body: JSON.stringify({ ids: ["*"] }), status: 422, message: /Not a photo id/ },
  { id: "bulk-objects", what: "ids as objects ({\"in\": […]}) trying to reach the query", route: "bulk-delete", body: JSON.stringify({ ids: [{ in: [uuidLike] }] }), status: 422 },
  { id: "bulk-huge", what: "A 2 MB id", route: "bulk-delete", body: JSON.stringify({ ids: ["a".repeat(2_000_000)] }), status: 422 },
  { id: "account-no-confirm", what: "An account deletion with no confirmation", route: "delete-account", body: "{}", status: 422 },
  { id: "account-wrong-phrase", what: "The wrong phrase (\"delete\")", route: "delete-account", body: JSON.stringify({ confirm: "delete" }), status: 422, message: /delete my account/ },
  { id: "account-zero-width", what: "The phrase with a zero-width space inside", route: "delete-account", body: JSON.stringify({ confirm: "delete my acc\u200bount" }), status: 422, message: /delete my account/ },
  { id: "account-array", what: "The phrase inside an array", route: "delete-account", body: JSON.stringify({ confirm: ["delete my account"] }), status: 422 },
  { id: "account-long", what: "A 10,000-character confirmation", route: "delete-account", body: JSON.stringify({ confirm: "delete my account ".repeat(600) }), status: 422 },
  { id: "account-not-json", what: "A body that is not JSON", route: "delete-account", body: "confirm=delete my account", status: 400, message: /must be JSON/ },
];
