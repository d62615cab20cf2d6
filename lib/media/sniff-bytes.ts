// Byte-level helpers for deciding what a file is from its first bytes (photos in
// lib/media/sniff.ts, audio in lib/podcasts/sniff.ts). Every helper tolerates a head that is
// too short and then simply does not match.

/** Brands of an ISO-BMFF `ftyp` box at offset 0: major brand first, then compatible ones. */
export function ftypBrands(head: Uint8Array): string[] {
  if (head.length < 12 || ascii(head, 4, 8) !== "ftyp") return [];
  const boxSize = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  // A real ftyp box is small and at least 16 bytes (size, type, major brand, minor
  // version); anything else (including the 64-bit "size 1" form) is not worth trusting.
  if (boxSize < 16 || boxSize > 4096) return [];
  const end = Math.min(head.length, boxSize);
  const brands = [ascii(head, 8, 12)];
  // Bytes 12..16 are the minor version, not a brand.
  for (let i = 16; i + 4 <= end; i += 4) brands.push(ascii(head, i, i + 4));
  return brands;
}

export function startsWith(head: Uint8Array, magic: number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/** Bytes [from, to) as Latin-1; "" when the head is too short, so comparisons just fail. */
export function ascii(head: Uint8Array, from: number, to: number): string {
  if (head.length < to) return "";
  return String.fromCharCode(...head.subarray(from, to));
}

/**
 * The head as text if it looks like text: valid UTF-8 (a multi-byte character cut off at
 * the end of the head is fine) with no control characters other than whitespace.
 */
export function asText(head: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(trimPartialUtf8(head));
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0b\x0e-\x1f\x7f]/.test(text) ? null : text;
}

function trimPartialUtf8(bytes: Uint8Array): Uint8Array {
  // Walk back over at most 3 continuation bytes to the start of the last character; drop it
  // if the head ends before that character does.
  let i = bytes.length - 1;
  let back = 0;
  while (i >= 0 && back < 3 && (bytes[i] & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return bytes;
  const lead = bytes[i];
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return bytes.length - i < need ? bytes.subarray(0, i) : bytes;
}

/**
 * A plausible MPEG audio (MP1/2/3) frame header at `offset`: the 11-bit frame sync, then a
 * version, layer, bitrate and sample rate that are not the reserved or "bad" values. Checking
 * those fields is what tells a real frame from any binary that starts with 0xFF.
 */
export function isMpegAudioFrame(head: Uint8Array, offset = 0): boolean {
  if (head.length < offset + 4) return false;
  const [b0, b1, b2] = [head[offset], head[offset + 1], head[offset + 2]];
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return false;
  const version = (b1 >> 3) & 0b11; // 01 is reserved
  const layer = (b1 >> 1) & 0b11; // 00 is reserved (and is what ADTS AAC uses)
  const bitrate = b2 >> 4; // 1111 is invalid
  const rate = (b2 >> 2) & 0b11; // 11 is reserved
  return version !== 0b01 && layer !== 0b00 && bitrate !== 0b1111 && rate !== 0b11;
}
