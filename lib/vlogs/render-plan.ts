// What a render makes and asks for, decided before anything runs: where its files go in
// storage, the caption and title text as they will appear on screen, the size photos are
// prepared at, and what Veo is asked for each shot. Pure, so these rules are unit-tested;
// the worker's render step (worker/processors/vlog/render.ts) only carries them out.
import type { ClipRequest } from "@/lib/ai/veo";
import { STILL_SCALE, wrapText } from "./ffmpeg-args";
import { STYLES, type VlogStyle } from "./plan";
import type { Timeline, TimelineShot } from "./timeline";

/**
 * Storage keys of one render. Each generation (a re-render) writes its own, so the video
 * being watched is never overwritten while a new one is made.
 */
export function renderKeys(vlogId: string, generation: number) {
  const base = `vlogs/${vlogId}/g${generation}`;
  return {
    video: `${base}/video.mp4`,
    poster: `${base}/poster.jpg`,
    /** A Veo clip, kept so a retried render never pays for the same clip twice. */
    clip: (mediaId: string) => `${base}/clips/${mediaId}.mp4`,
  };
}

/** The files of an earlier render that a new one replaces (deleted once the new one is saved). */
export function supersededKeys(before: { videoKey: string | null; posterKey: string | null }, after: { videoKey: string; posterKey: string }): string[] {
  return [before.videoKey, before.posterKey].filter((k): k is string => Boolean(k) && k !== after.videoKey && k !== after.posterKey);
}

/**
 * Each shot's caption and the title, wrapped to fit the frame (ffmpeg's drawtext does
 * not wrap); null where there is nothing to show. About 25 characters per line at 16:9
 * height units, fewer for the larger title.
 */
export function onScreenText(timeline: Timeline): { captions: (string | null)[]; title: string | null } {
  const charsPerLine = Math.round((timeline.width / timeline.height) * 25);
  return {
    captions: timeline.shots.map((shot) => (shot.caption.trim() ? wrapText(shot.caption, charsPerLine) : null)),
    title: timeline.title ? wrapText(timeline.title.text, Math.round(charsPerLine * 0.6)) : null,
  };
}

/** Photos are cropped to the frame's shape at STILL_SCALE × its size: room for pan-and-zoom. */
export function stillSize(timeline: Timeline): { width: number; height: number } {
  return { width: Math.round(timeline.width * STILL_SCALE), height: Math.round(timeline.height * STILL_SCALE) };
}

/** What Veo is asked to make of one shot's photo (the photo itself travels as `image`). */
export function veoClipRequest(shot: TimelineShot, style: VlogStyle, timeline: Timeline): Omit<ClipRequest, "image"> {
  return {
    prompt: `${shot.caption ? `${shot.caption}. ` : ""}Bring this photo to life with subtle, natural motion and a slow camera move; keep everything as it is in the photo. Mood: ${STYLES[style].description}`,
    // Veo makes 5–8 s clips; the timeline trims it to the shot's length.
    durationSeconds: Math.min(8, Math.max(5, Math.ceil(shot.duration))),
    aspectRatio: timeline.width >= timeline.height ? "16:9" : "9:16",
  };
}
