// Storyboard EXECUTE without an AI service: a caption line per shot and a title, built
// from what the analysis stored (caption, tags, EXIF time). It says only what the data
// supports: the time of day and date from EXIF, and the colour impressions the local
// analyser recorded; a caption written by Gemini during analysis is reused, shortened.
import type { VlogStyle } from "./plan";
import { MAX_CAPTION_CHARS, MAX_TITLE_CHARS } from "./plan";

export interface ShotFacts {
  mediaId: string;
  /** EXIF capture time, camera wall clock as ISO without offset (or null). */
  takenAt: string | null;
  caption: string;
  tags: string[];
  /** "local" or "gemini:<model>": who wrote `caption`. */
  provider: string;
}

export interface WrittenStoryboard {
  title: string;
  captions: { mediaId: string; caption: string }[];
  writer: string;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const SCENES: Record<string, string> = {
  sky: "Open sky",
  greenery: "Greenery all around",
  "evening light": "Warm evening light",
  night: "After dark",
};
const MOODS: Record<string, string> = {
  bright: "Bright and airy",
  dark: "Low light",
  vivid: "Vivid colours",
  muted: "Soft, muted colours",
  monochrome: "In black and white",
};

export function writeLocalStoryboard(shots: readonly ShotFacts[], opts: { style: VlogStyle; title?: string | null }): WrittenStoryboard {
  const dates = shots.map((s) => parseWallClock(s.takenAt)).filter((d): d is WallClock => d !== null);
  const manyDays = new Set(dates.map((d) => `${d.year}-${d.month}-${d.day}`)).size > 1;
  const used = new Set<string>();
  const captions = shots.map((shot, i) => {
    const caption = clip(lineFor(shot, i, shots.length, { style: opts.style, manyDays, used }), MAX_CAPTION_CHARS);
    used.add(caption);
    return { mediaId: shot.mediaId, caption };
  });
  const title = clip(opts.title?.trim() || defaultTitle(dates, opts.style), MAX_TITLE_CHARS);
  return { title, captions, writer: "local" };
}

function lineFor(shot: ShotFacts, index: number, count: number, ctx: { style: VlogStyle; manyDays: boolean; used: Set<string> }): string {
  const when = parseWallClock(shot.takenAt);
  const whenText = when ? [ctx.manyDays || ctx.style === "documentary" ? `${when.day} ${MONTHS[when.month - 1]}` : null, partOfDay(when.hour)].filter(Boolean).join(", ") : null;
  const timeText = ctx.style === "documentary" && when ? `${pad(when.hour)}:${pad(when.minute)}` : null;
  // A Gemini-written analysis caption says what is in the photo: use its first clause.
  const when2 = whenText && timeText ? `${whenText} (${timeText})` : whenText;
  // A Gemini-written analysis caption says what is in the photo: use its first clause.
  // Otherwise the first impression that does not repeat an earlier line.
  const options = shot.provider.startsWith("gemini") ? [firstClause(shot.caption)] : impressions(shot.tags);
  const compose = (seen: string | null) => [when2, seen].filter(Boolean).join(" — ");
  let line = compose(options.find((o) => !ctx.used.has(capitalise(compose(o)))) ?? options[0] ?? null);
  if (!line) line = count > 1 ? `Moment ${index + 1} of ${count}` : "A moment worth keeping";
  if (ctx.style === "upbeat" && index === 0) line = `Here we go! ${line}`;
  if (ctx.style === "cinematic" && index === count - 1 && count > 1) line = `${line}. Until next time.`;
  return capitalise(line);
}

const COLOURS = new Set(["red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "white", "grey", "black"]);

/** What the local analyser's tags support saying, most telling first. */
function impressions(tags: readonly string[]): string[] {
  const colours = tags.filter((t) => COLOURS.has(t)).slice(0, 2);
  return [
    ...tags.filter((t) => SCENES[t]).map((t) => SCENES[t]),
    ...tags.filter((t) => MOODS[t]).map((t) => MOODS[t]),
    ...(colours.length ? [capitalise(`${colours.join(" and ")} tones`)] : []),
    ...(tags.includes("warm tones") ? ["Warm tones"] : tags.includes("cool tones") ? ["Cool tones"] : []),
  ];
}

function defaultTitle(dates: readonly WallClock[], style: VlogStyle): string {
  if (dates.length === 0) return style === "upbeat" ? "Highlights" : "A few moments";
  const sorted = [...dates].sort((a, b) => a.key - b.key);
  const [first, last] = [sorted[0], sorted[sorted.length - 1]];
  const sameDay = first.year === last.year && first.month === last.month && first.day === last.day;
  const sameMonth = first.year === last.year && first.month === last.month;
  if (sameDay) return `${first.day} ${MONTHS[first.month - 1]} ${first.year}`;
  if (sameMonth) return `${first.day}–${last.day} ${MONTHS[first.month - 1]} ${first.year}`;
  if (first.year === last.year) return `${MONTHS[first.month - 1]} – ${MONTHS[last.month - 1]} ${first.year}`;
  return `${first.year} – ${last.year}`;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  key: number;
}

/** Reads the digits as written: EXIF times are the camera's wall clock, not an instant. */
function parseWallClock(iso: string | null): WallClock | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso ?? "");
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  return { year, month, day, hour, minute, key: Date.UTC(year, month - 1, day, hour, minute) };
}

function partOfDay(hour: number): string {
  if (hour < 5) return "late at night";
  if (hour < 12) return "morning";
  if (hour < 14) return "midday";
  if (hour < 18) return "afternoon";
  if (hour < 22) return "evening";
  return "night";
}

function firstClause(caption: string): string {
  const clause = caption.split(/[;—.]/)[0]?.trim() ?? "";
  return clause.length > 90 ? `${clause.slice(0, 89).trimEnd()}…` : clause;
}

const pad = (n: number) => String(n).padStart(2, "0");
const capitalise = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s);
