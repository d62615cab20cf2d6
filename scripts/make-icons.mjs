#!/usr/bin/env node
// Every icon the site serves, made from one drawing (assets/icon.svg) with sharp, before
// `next build` (npm run build, and build-if-stale.mjs's ensureNextBuild). The outputs go to
// public/ and are not committed: one source of truth, no binaries in git that could drift
// from the drawing. Skips the work when every output is newer than the drawing.
//   public/icons/icon-192.png, icon-512.png   manifest, purpose "any" (rounded corners)
//   public/icons/maskable-512.png             manifest, purpose "maskable" (full bleed)
//   public/apple-touch-icon.png               180 px, full bleed (iOS rounds it itself)
//   public/favicon.ico                        16, 32 and 48 px PNGs in one ICO
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ICON_SOURCE = path.join(root, "assets/icon.svg");
export const ICON_OUTPUTS = ["public/icons/icon-192.png", "public/icons/icon-512.png", "public/icons/maskable-512.png", "public/apple-touch-icon.png", "public/favicon.ico"].map((p) => path.join(root, p));

export function iconsAreStale() {
  const source = statSync(ICON_SOURCE).mtimeMs;
  return ICON_OUTPUTS.some((p) => !existsSync(p) || statSync(p).mtimeMs < source);
}

/** An ICO file holding PNG images (allowed since Windows Vista; every browser reads it). */
function ico(pngs) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(pngs.length, 4);
  let offset = 6 + 16 * pngs.length;
  const entries = pngs.map(({ size, data }) => {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0);
    e.writeUInt8(size >= 256 ? 0 : size, 1);
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += data.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...pngs.map((p) => p.data)]);
}

export async function makeIcons() {
  const { default: sharp } = await import("sharp");
  const svg = readFileSync(ICON_SOURCE);
  // Rendered once large, then scaled down: crisp at every size.
  const master = await sharp(svg, { density: 288 }).resize(1024, 1024).png().toBuffer();
  const fullBleed = (size) => sharp(master).resize(size, size).png({ compressionLevel: 9 }).toBuffer();
  const rounded = async (size) => {
    const r = Math.round(size * 0.22);
    const mask = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" rx="${r}" ry="${r}"/></svg>`);
    return sharp(await fullBleed(size)).composite([{ input: mask, blend: "dest-in" }]).png({ compressionLevel: 9 }).toBuffer();
  };
  mkdirSync(path.join(root, "public/icons"), { recursive: true });
  const write = (p, data) => writeFileSync(path.join(root, p), data);
  write("public/icons/icon-192.png", await rounded(192));
  write("public/icons/icon-512.png", await rounded(512));
  write("public/icons/maskable-512.png", await fullBleed(512));
  write("public/apple-touch-icon.png", await fullBleed(180));
  write("public/favicon.ico", ico(await Promise.all([16, 32, 48].map(async (size) => ({ size, data: await rounded(size) })))));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes("--force") || iconsAreStale()) {
    await makeIcons();
    console.log("Icons made from assets/icon.svg into public/.");
  }
}
