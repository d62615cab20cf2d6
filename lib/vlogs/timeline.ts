// Render THINK: the storyboard turned into a timeline — when each shot starts, how long
// it stays, how it moves, where the transitions fall and how long the video is. Pure;
// the renderer follows it exactly, and the tests compare the MP4 against its total.
import { RESOLUTIONS, STYLES, type VlogResolution, type VlogStyle } from "./plan";
import type { StoryboardDoc } from "./storyboard";

export interface TimelineShot {
  mediaId: string;
  caption: string;
  /** Seconds from the start of the video at which the shot begins fading in. */
  start: number;
  /** Seconds the shot's clip lasts (its transitions overlap its neighbours). */
  duration: number;
  /** Pan-and-zoom: zoom factor at the start and end, and the pan's start/end points (0..1). */
  motion: { zoomFrom: number; zoomTo: number; x: [number, number]; y: [number, number] };
}

export interface Timeline {
  width: number;
  height: number;
  fps: number;
  transition: { name: string; duration: number };
  title: { text: string; duration: number } | null;
  shots: TimelineShot[];
  /** Length of the video in seconds. */
  total: number;
}

export const TITLE_SECONDS = 2.5;
export const FPS = 30;

/** Rounds to whole frames, so the timeline and the encoded video agree exactly. */
const frames = (seconds: number) => Math.round(seconds * FPS) / FPS;

export function buildTimeline(doc: StoryboardDoc, opts: { resolution: VlogResolution; style?: VlogStyle }): Timeline {
  const style = STYLES[opts.style ?? doc.style];
  const { width, height } = RESOLUTIONS[opts.resolution];
  const title = doc.title.trim() ? { text: doc.title.trim(), duration: frames(TITLE_SECONDS) } : null;
  // A transition can never be longer than half the shortest clip.
  const shortest = Math.min(...doc.shots.map((s) => s.duration), title?.duration ?? Infinity);
  const transition = { name: style.transition, duration: frames(Math.min(style.transitionSeconds, shortest / 2)) };

  let cursor = title ? title.duration - transition.duration : 0;
  const shots = doc.shots.map((shot, i) => {
    const duration = frames(shot.duration);
    const start = frames(cursor);
    cursor = start + duration - transition.duration;
    return { mediaId: shot.mediaId, caption: shot.caption, start, duration, motion: motionFor(i, style.zoom) };
  });
  const clips = [title?.duration, ...shots.map((s) => s.duration)].filter((d): d is number => d !== undefined);
  const total = frames(clips.reduce((a, b) => a + b, 0) - transition.duration * (clips.length - 1));
  return { width, height, fps: FPS, transition, title, shots, total };
}

/**
 * Alternating moves so consecutive shots do not all push the same way: zoom in, zoom out,
 * then the same with a drift left/right. Deterministic, so a re-render looks the same.
 */
function motionFor(index: number, zoom: number): TimelineShot["motion"] {
  const zoomIn = index % 2 === 0;
  const drift = [[0.5, 0.5], [0.35, 0.65], [0.5, 0.5], [0.65, 0.35]][index % 4] as [number, number];
  return {
    zoomFrom: zoomIn ? 1 : zoom,
    zoomTo: zoomIn ? zoom : 1,
    x: drift,
    y: [0.5, index % 3 === 1 ? 0.4 : 0.5],
  };
}
