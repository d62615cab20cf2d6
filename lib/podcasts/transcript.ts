// A transcript in the three forms podcast apps read (Podcasting 2.0 <podcast:transcript>):
// WebVTT (speakers as <v Name> voice spans), SRT, and the Podcasting 2.0 JSON transcript.
// Text comes from a model or a speech recogniser, so nothing in it is trusted: WebVTT's
// markup characters are escaped, blank lines (which would end a cue early) are collapsed.

export interface TranscriptSegment {
  /** Seconds from the start. */
  start: number;
  end: number;
  speaker?: string | null;
  text: string;
}

/** Podcasting 2.0 JSON transcript (application/json). */
export interface TranscriptJson {
  version: "1.0.0";
  segments: { speaker?: string; startTime: number; endTime: number; body: string }[];
}

/**
 * Segments made safe to write: text and speaker trimmed with whitespace runs collapsed
 * (newlines kept as single newlines), empty ones dropped, times rounded to milliseconds,
 * never negative, end after start, in order of start.
 */
export function normaliseSegments(segments: readonly TranscriptSegment[]): TranscriptSegment[] {
  return segments
    .map((s) => {
      const start = ms(Math.max(0, s.start));
      const speaker = s.speaker?.replace(/\s+/g, " ").trim() || null;
      const text = s.text
        .replace(/\r\n?/g, "\n")
        .split("\n")
        .map((line) => line.replace(/[\t\f\v ]+/g, " ").trim())
        .filter(Boolean)
        .join("\n");
      return { start, end: Math.max(start + 0.001, ms(s.end)), speaker, text };
    })
    .filter((s) => s.text && Number.isFinite(s.start) && Number.isFinite(s.end))
    .sort((a, b) => a.start - b.start);
}

export function toWebVtt(segments: readonly TranscriptSegment[]): string {
  const cues = normaliseSegments(segments).map((s) => {
    const voice = s.speaker ? `<v ${escapeVtt(s.speaker)}>` : "";
    return `${vttTime(s.start)} --> ${vttTime(s.end)}\n${voice}${escapeVtt(s.text)}`;
  });
  return ["WEBVTT", ...cues].join("\n\n") + "\n";
}

/** SRT has no markup escaping; speakers are written as a "Name: " prefix. */
export function toSrt(segments: readonly TranscriptSegment[]): string {
  return normaliseSegments(segments)
    .map((s, i) => `${i + 1}\n${srtTime(s.start)} --> ${srtTime(s.end)}\n${s.speaker ? `${s.speaker}: ` : ""}${s.text}\n`)
    .join("\n");
}

export function toTranscriptJson(segments: readonly TranscriptSegment[]): TranscriptJson {
  return {
    version: "1.0.0",
    segments: normaliseSegments(segments).map((s) => ({
      ...(s.speaker ? { speaker: s.speaker } : {}),
      startTime: s.start,
      endTime: s.end,
      body: s.text,
    })),
  };
}

/** The whole transcript as plain text, one paragraph per change of speaker. */
export function toPlainText(segments: readonly TranscriptSegment[]): string {
  const paragraphs: string[] = [];
  let speaker: string | null | undefined;
  for (const s of normaliseSegments(segments)) {
    const text = s.text.replace(/\n/g, " ");
    if (paragraphs.length > 0 && s.speaker === speaker) paragraphs[paragraphs.length - 1] += ` ${text}`;
    else paragraphs.push(s.speaker ? `${s.speaker}: ${text}` : text);
    speaker = s.speaker;
  }
  return paragraphs.join("\n\n");
}

/** WebVTT cue text and voice annotations: `&`, `<`, `>` as character references. */
export function escapeVtt(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function vttTime(seconds: number): string {
  return clock(seconds, ".");
}

export function srtTime(seconds: number): string {
  return clock(seconds, ",");
}

function clock(seconds: number, sep: "." | ","): string {
  const total = Math.round(Math.max(0, seconds) * 1000);
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  const frac = total % 1000;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${sep}${pad(frac, 3)}`;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const ms = (s: number) => Math.round(s * 1000) / 1000;
