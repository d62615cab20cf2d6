// The names people give their files: kept as they were sent, for display and as the name a
// download is saved under, never as a path (storage keys are random ids). Two things are
// done to a name on arrival: invisible control characters go (they could hide the real
// extension or break a header), and an overlong name is shortened between characters as a
// person sees them (grapheme clusters: an emoji or an accented letter is never cut in
// half), keeping its extension. Slashes stay: `<script>alert(1)</script>.jpg` is a name,
// not a folder; pages escape it like any text, and a download header carries it encoded.

/** Longest name kept, in UTF-16 code units (what a string's length counts). */
export const MAX_FILE_NAME = 200;

// C0 and C1 controls, DEL, and the bidirectional overrides and isolates that can make
// "photo‮gpj.exe" read as "photoexe.jpg".
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** A short last ".something" without spaces: what people and systems treat as the type. */
const EXTENSION = /\.[^.\s]{1,16}$/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * The display name for a file a client sent: what it gave, without control characters,
 * trimmed, at most MAX_FILE_NAME long. `fallback` when nothing usable is left (or the name
 * is only "." or "..").
 */
export function cleanFileName(raw: string | undefined, fallback = "photo"): string {
  const cleaned = (raw ?? "").normalize("NFC").replace(INVISIBLE, "").trim();
  if (cleaned === "" || cleaned === "." || cleaned === "..") return fallback;
  return shortenName(cleaned, MAX_FILE_NAME);
}

/**
 * `name` cut to at most `max` UTF-16 code units at a grapheme boundary, its extension
 * kept and "…" marking the cut.
 */
export function shortenName(name: string, max: number): string {
  if (name.length <= max) return name;
  const match = EXTENSION.exec(name);
  const ext = match && match.index > 0 ? match[0] : "";
  const budget = max - ext.length - 1; // 1 for "…"
  let stem = "";
  for (const { segment } of graphemes.segment(name.slice(0, name.length - ext.length))) {
    if (stem.length + segment.length > budget) break;
    stem += segment;
  }
  return `${stem.trimEnd()}…${ext}`;
}

/**
 * `Content-Disposition: attachment` naming the file as the person called it (RFC 6266):
 * `filename*` carries the exact name in UTF-8 (RFC 8187 encoding, where only attr-chars
 * stay literal), `filename` an ASCII stand-in for clients that predate it. Path
 * separators become "_" in both, as browsers do when saving, so that no client (curl -OJ,
 * wget) can read the name as a folder.
 */
export function attachmentDisposition(name: string): string {
  const safe = name.replace(/[\\/]/g, "_");
  // Quoted-string fallback: printable ASCII without '"', '\' and '%' (some clients
  // percent-decode it).
  const ascii = safe.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(safe)}`;
}

/** RFC 8187 value-chars: attr-chars as they are, every other UTF-8 byte as %XX. */
function encodeRfc8187(value: string): string {
  // encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) alone; of those, * ' ( ) are
  // not attr-chars.
  return encodeURIComponent(value).replace(/[*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
