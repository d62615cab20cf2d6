// The storyboard document: the shots in order, each with its photo, caption and time on
// screen, plus the title. Written by the storyboard phase, edited by the user, read by
// the render phase. Pure: the first draft, validation and edits.
import { z } from "zod";
import { InvalidInputError } from "@/lib/errors";
import { DEFAULT_STYLE, MAX_CAPTION_CHARS, MAX_SHOT_SECONDS, MAX_TITLE_CHARS, MIN_SHOT_SECONDS, STYLE_NAMES, STYLES, type VlogStyle } from "./plan";
import type { ShotSelection } from "./select";
import type { WrittenStoryboard } from "./writer-local";

export interface StoryboardShot {
  mediaId: string;
  caption: string;
  /** Seconds on screen, before transitions overlap it with its neighbours. */
  duration: number;
  /**
   * The photo was deleted after this storyboard was written. The shot stays listed (the
   * rendered video still shows it) but is marked, and a new render leaves it out.
   */
  removed?: boolean;
}

export interface StoryboardDoc {
  title: string;
  style: VlogStyle;
  shots: StoryboardShot[];
  /** Who wrote the captions: "local" or "gemini:<model>"; "edited" once a person changed them. */
  writer: string;
  /** Photos the storyboard step left out, and why (shown so nothing vanishes silently). */
  dropped: { mediaId: string; reason: string; removed?: boolean }[];
}

/** Why a shot or a left-out photo is gone for good. */
export const PHOTO_DELETED = "This photo was deleted.";

/** The shots a new render uses: all but those whose photo was deleted. */
export function liveShots(doc: StoryboardDoc): StoryboardShot[] {
  return doc.shots.filter((s) => !s.removed);
}

/**
 * The storyboard after one of its photos was deleted: its shot is marked removed (the video
 * already rendered keeps showing it), and if it had been left out it can no longer come back.
 */
export function markPhotoDeleted(doc: StoryboardDoc, mediaId: string): StoryboardDoc {
  return {
    ...doc,
    shots: doc.shots.map((s) => (s.mediaId === mediaId ? { ...s, removed: true } : s)),
    dropped: doc.dropped.map((d) => (d.mediaId === mediaId ? { mediaId, reason: PHOTO_DELETED, removed: true } : d)),
  };
}

/**
 * Storyboard INTEGRATE: the chosen shots in order, each with the caption the writer gave
 * it and the style's time on screen; what was left out stays listed with its reason.
 */
export function draftStoryboard(selection: ShotSelection, written: WrittenStoryboard, style: string): StoryboardDoc {
  const known = (style in STYLES ? style : DEFAULT_STYLE) as VlogStyle;
  const captions = new Map(written.captions.map((c) => [c.mediaId, c.caption]));
  return {
    title: written.title,
    style: known,
    shots: selection.shots.map((s) => ({ mediaId: s.mediaId, caption: captions.get(s.mediaId) ?? "", duration: STYLES[known].shotSeconds })),
    writer: written.writer,
    dropped: selection.dropped,
  };
}

const caption = z
  .string()
  .transform((s) => s.replace(/\s+/g, " ").trim())
  .pipe(z.string().max(MAX_CAPTION_CHARS, `At most ${MAX_CAPTION_CHARS} characters.`));

const duration = z
  .number()
  .min(MIN_SHOT_SECONDS, `At least ${MIN_SHOT_SECONDS} seconds.`)
  .max(MAX_SHOT_SECONDS, `At most ${MAX_SHOT_SECONDS} seconds.`)
  .transform((n) => Math.round(n * 10) / 10);

export const storyboardDocSchema = z.object({
  title: z.string().max(MAX_TITLE_CHARS),
  style: z.enum(STYLE_NAMES as [VlogStyle, ...VlogStyle[]]),
  shots: z.array(z.object({ mediaId: z.string().uuid(), caption, duration, removed: z.boolean().optional() })).min(1),
  writer: z.string(),
  dropped: z.array(z.object({ mediaId: z.string(), reason: z.string(), removed: z.boolean().optional() })).default([]),
});

/** PATCH …/storyboard: the shots in their new order (a shot left out is dropped). */
export const storyboardPatchSchema = z.object({
  /** The storyboardVersion the edit was made on; a stale edit is refused (409). */
  baseVersion: z.number().int().min(0).optional(),
  title: z
    .string()
    .transform((s) => s.replace(/\s+/g, " ").trim())
    .pipe(z.string().min(1, "Give the vlog a title.").max(MAX_TITLE_CHARS, `At most ${MAX_TITLE_CHARS} characters.`))
    .optional(),
  shots: z
    .array(z.object({ mediaId: z.string().uuid(), caption, duration: duration.optional() }))
    .min(1, "Keep at least one shot.")
    .optional(),
});
export type StoryboardPatch = z.infer<typeof storyboardPatchSchema>;

const refused = (field: string, message: string) => new InvalidInputError({ [field]: message }, message);

/**
 * Applies an edit. Shots may be reordered, re-captioned, re-timed or dropped, and a photo
 * the storyboard step left out may be brought back; photos outside the vlog's selection
 * may not be added, and none may appear twice.
 */
export function applyStoryboardPatch(doc: StoryboardDoc, patch: StoryboardPatch, selection: readonly string[]): StoryboardDoc {
  const next: StoryboardDoc = { ...doc, shots: doc.shots.map((s) => ({ ...s })), dropped: [...doc.dropped] };
  if (patch.title !== undefined) next.title = patch.title;
  if (patch.shots) {
    const allowed = new Set(selection);
    const seen = new Set<string>();
    const byId = new Map(doc.shots.map((s) => [s.mediaId, s]));
    next.shots = patch.shots.map((shot, i) => {
      if (byId.get(shot.mediaId)?.removed || doc.dropped.some((d) => d.mediaId === shot.mediaId && d.removed)) {
        throw refused(`shots.${i}.mediaId`, "That photo was deleted, so it cannot be in the storyboard any more.");
      }
      if (!allowed.has(shot.mediaId)) throw refused(`shots.${i}.mediaId`, "That photo is not part of this vlog.");
      if (seen.has(shot.mediaId)) throw refused(`shots.${i}.mediaId`, "A photo can appear only once.");
      seen.add(shot.mediaId);
      const before = byId.get(shot.mediaId);
      return { mediaId: shot.mediaId, caption: shot.caption, duration: shot.duration ?? before?.duration ?? doc.shots[0].duration };
    });
    // A shot whose photo was deleted leaves the storyboard with the first edit (the next
    // render cannot show it); it stays listed as deleted, not as something you removed.
    const removed = doc.shots
      .filter((s) => !seen.has(s.mediaId))
      .map((s) => (s.removed ? { mediaId: s.mediaId, reason: PHOTO_DELETED, removed: true } : { mediaId: s.mediaId, reason: "Removed from the storyboard." }));
    next.dropped = [...doc.dropped.filter((d) => !seen.has(d.mediaId) && !removed.some((r) => r.mediaId === d.mediaId)), ...removed];
  }
  const changed = JSON.stringify(next.shots) !== JSON.stringify(doc.shots) || next.title !== doc.title;
  if (changed && !doc.writer.startsWith("edited")) next.writer = `edited (${doc.writer})`;
  return next;
}
