// Joins what a model said about overlapping pieces of one recording into one transcript
// and one chapter list, in the recording's time. Pure, so every rule is unit-tested.
//
// Overlap: pieces n and n+1 both hear [start(n+1), end(n)]. The cut is the middle of that
// window: piece n keeps what starts before it, piece n+1 what starts after it, so each
// stretch of speech is taken from the piece that heard it with the most context around it
// (the middle of the overlap is ≥ overlap/2 from either piece's edge, where models cut
// words off). A sentence of piece n that runs past the cut is kept whole, so piece n+1's
// segments that start inside it (minus a second of timing slack) are its duplicate tail and
// are dropped too. Times, not text, decide: the two pieces may word the same speech
// differently, but they place it at (nearly) the same time.
//
// Speakers: each piece labels voices on its own; the next piece is told the labels so far,
// and the overlap checks it: a segment both pieces transcribed (same time, similar words)
// says which label of piece n+1 is which label so far, and piece n+1 is relabelled by the
// majority. A label of piece n+1 with no evidence that would collide with a label already
// taken by another voice gets a new "Speaker N" rather than a guessed merge.
import { normaliseChapters, type Chapter } from "./chapters";
import type { AudioReply, TextsReply } from "./gemini-audio-reply";
import { cleanKeywords } from "./metadata";
import { normaliseSegments, type TranscriptSegment } from "./transcript";

export interface Piece {
  /** Seconds of the recording this piece covers. */
  start: number;
  end: number;
  /** Times relative to the piece's start. */
  reply: AudioReply;
}

export interface MergedPieces {
  transcript: TranscriptSegment[];
  /** Empty, or at least two (one chapter says nothing). */
  chapters: Chapter[];
  language: string | null;
}

/** Seconds by which a duplicate's start may precede the end of the segment it repeats. */
const SLACK = 1;

export function mergePieces(pieces: readonly Piece[], durationSeconds: number): MergedPieces {
  const transcript: TranscriptSegment[] = [];
  const chapters: Chapter[] = [];
  let previous: TranscriptSegment[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    const next = pieces[i + 1];
    const from = i === 0 ? -Infinity : cutBetween(pieces[i - 1], piece);
    const until = next ? cutBetween(piece, next) : Infinity;
    let segments = piece.reply.transcript.map((s) => ({ ...s, start: s.start + piece.start, end: s.end + piece.start }));
    if (i > 0) segments = relabel(segments, previous, { start: piece.start, end: pieces[i - 1].end }, transcript);
    previous = segments;

    const tail = transcript.at(-1);
    const after = Math.max(from, tail ? tail.end - SLACK : -Infinity);
    transcript.push(...segments.filter((s) => s.start >= from && s.start >= after && s.start < until));
    for (const c of piece.reply.chapters) {
      const startTime = c.startTime + piece.start;
      if (startTime >= from && startTime < until) chapters.push({ startTime, title: c.title });
    }
  }
  const merged = normaliseChapters(chapters, durationSeconds || undefined);
  return {
    transcript: normaliseSegments(transcript),
    chapters: merged.length > 1 ? merged : [],
    language: mainLanguage(pieces),
  };
}

/** The middle of the stretch both pieces heard. */
export function cutBetween(a: Pick<Piece, "end">, b: Pick<Piece, "start">): number {
  return (b.start + Math.max(a.end, b.start)) / 2;
}

/**
 * Piece n+1's segments with its speaker labels mapped onto the labels so far, by the
 * segments both pieces transcribed inside `overlap`. `kept` is everything kept so far
 * (for the labels already in use).
 */
export function relabel(
  segments: readonly TranscriptSegment[],
  before: readonly TranscriptSegment[],
  overlap: { start: number; end: number },
  kept: readonly TranscriptSegment[],
): TranscriptSegment[] {
  const inWindow = (s: TranscriptSegment) => s.end > overlap.start && s.start < overlap.end;
  const votes = new Map<string, Map<string, number>>();
  for (const b of segments.filter(inWindow)) {
    if (!b.speaker) continue;
    let best: { label: string; shared: number } | null = null;
    for (const a of before.filter(inWindow)) {
      if (!a.speaker) continue;
      const shared = Math.min(a.end, b.end) - Math.max(a.start, b.start);
      if (shared <= 0 || shared < 0.5 * Math.min(a.end - a.start, b.end - b.start)) continue;
      if (similarity(a.text, b.text) < 0.5) continue;
      if (!best || shared > best.shared) best = { label: a.speaker, shared };
    }
    if (!best) continue;
    const tally = votes.get(b.speaker) ?? new Map<string, number>();
    tally.set(best.label, (tally.get(best.label) ?? 0) + best.shared);
    votes.set(b.speaker, tally);
  }

  // Strongest evidence first; one label so far per label of this piece and vice versa.
  const candidates = [...votes].flatMap(([from, tally]) => [...tally].map(([to, weight]) => ({ from, to, weight })));
  candidates.sort((x, y) => y.weight - x.weight);
  const mapping = new Map<string, string>();
  const taken = new Set<string>();
  for (const c of candidates) {
    if (mapping.has(c.from) || taken.has(c.to)) continue;
    mapping.set(c.from, c.to);
    taken.add(c.to);
  }
  // Labels with no evidence keep their name, unless another voice now has it.
  const inUse = new Set([...kept, ...before].map((s) => s.speaker).filter((s): s is string => !!s));
  for (const label of new Set(segments.map((s) => s.speaker).filter((s): s is string => !!s))) {
    if (mapping.has(label)) continue;
    if (!taken.has(label)) {
      mapping.set(label, label);
      taken.add(label);
      continue;
    }
    let n = 1;
    while (inUse.has(`Speaker ${n}`) || taken.has(`Speaker ${n}`)) n++;
    mapping.set(label, `Speaker ${n}`);
    taken.add(`Speaker ${n}`);
  }
  return segments.map((s) => (s.speaker ? { ...s, speaker: mapping.get(s.speaker) ?? s.speaker } : s));
}

/** Share of words in common (Jaccard on lowercase words): the same speech, worded alike. */
export function similarity(a: string, b: string): number {
  const words = (s: string) => new Set(s.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []);
  const x = words(a);
  const y = words(b);
  if (x.size === 0 || y.size === 0) return 0;
  let both = 0;
  for (const w of x) if (y.has(w)) both++;
  return both / (x.size + y.size - both);
}

/** The language most of the speech is in (by transcript characters). */
function mainLanguage(pieces: readonly Piece[]): string | null {
  const weight = new Map<string, number>();
  for (const p of pieces) {
    if (!p.reply.language) continue;
    const chars = p.reply.transcript.reduce((n, s) => n + s.text.length, 0) || 1;
    weight.set(p.reply.language, (weight.get(p.reply.language) ?? 0) + chars);
  }
  let best: string | null = null;
  for (const [lang, w] of weight) if (best === null || w > (weight.get(best) ?? 0)) best = lang;
  return best;
}

/**
 * The episode's texts from the pieces' own, for when the text-only call that writes them
 * from the whole transcript is not available: the first piece's title, the pieces'
 * summaries and show notes in order, keywords by how many pieces named them. All of it is
 * what the model wrote; nothing is added.
 */
export function combinePieceTexts(replies: readonly TextsReply[]): TextsReply {
  const counts = new Map<string, { word: string; n: number; first: number }>();
  let order = 0;
  for (const r of replies) {
    for (const k of cleanKeywords(r.keywords)) {
      const key = k.toLocaleLowerCase();
      const entry = counts.get(key) ?? { word: k, n: 0, first: order++ };
      entry.n++;
      counts.set(key, entry);
    }
  }
  const keywords = [...counts.values()].sort((a, b) => b.n - a.n || a.first - b.first).map((e) => e.word);
  const join = (parts: (string | null)[], sep: string) => parts.filter((p): p is string => !!p).join(sep) || null;
  return {
    title: replies.find((r) => r.title)?.title ?? "",
    summary: join(
      replies.map((r) => r.summary),
      " ",
    ),
    showNotes: join(
      replies.map((r) => r.showNotes),
      "\n",
    ),
    keywords: cleanKeywords(keywords),
  };
}
