// Chapters as Podcasting 2.0 JSON chapters (version 1.2.0, application/json+chapters), the
// file a feed's <podcast:chapters> points to. Also the cleaning every chapter list needs,
// whoever wrote it (a model, the silence detector, a person at review).

export interface Chapter {
  /** Seconds from the start. */
  startTime: number;
  title: string;
}

export interface ChaptersJson {
  version: "1.2.0";
  chapters: { startTime: number; title: string }[];
}

/**
 * Chapters in order, within the recording, with no two at the same time, titles trimmed to
 * one line (and at most 200 characters), untitled ones named "Chapter N". The first is
 * moved to 0 when it starts within a second of it (players expect a chapter at the start).
 */
export function normaliseChapters(chapters: readonly Chapter[], durationSeconds?: number): Chapter[] {
  const sorted = chapters
    .map((c) => ({ startTime: Math.round(Math.max(0, c.startTime) * 1000) / 1000, title: c.title.replace(/\s+/g, " ").trim() }))
    .filter((c) => Number.isFinite(c.startTime) && (durationSeconds === undefined || c.startTime < durationSeconds))
    .sort((a, b) => a.startTime - b.startTime)
    .filter((c, i, all) => i === 0 || c.startTime > all[i - 1].startTime);
  if (sorted.length > 0 && sorted[0].startTime < 1) sorted[0].startTime = 0;
  return sorted.map((c, i) => ({ startTime: c.startTime, title: [...(c.title || `Chapter ${i + 1}`)].slice(0, 200).join("") }));
}

export function toChaptersJson(chapters: readonly Chapter[], durationSeconds?: number): ChaptersJson {
  return { version: "1.2.0", chapters: normaliseChapters(chapters, durationSeconds) };
}
