// The ffmpeg command line for a timeline: one input per shot (a still photo animated with
// pan-and-zoom, or a clip), a title card, caption overlays, crossfades between them,
// H.264 in an MP4 with faststart, and machine-readable progress on stdout. Pure: the
// worker spawns it; the benchmark runs the very same command on its own.
import type { Timeline } from "./timeline";

export type ShotSource = { kind: "still"; path: string } | { kind: "clip"; path: string };

export interface RenderCommand {
  timeline: Timeline;
  /** One per timeline shot. Stills must be pre-scaled to STILL_SCALE × the output size. */
  sources: ShotSource[];
  /** Text files (UTF-8) with each shot's wrapped caption, or null for none. */
  captionFiles: (string | null)[];
  titleFile: string | null;
  output: string;
  preset?: string;
  crf?: number;
}

/** Stills are handed to zoompan at this multiple of the output size, for smooth motion. */
export const STILL_SCALE = 1.5;

const SAFE_PATH = /^[A-Za-z0-9_./-]+$/;

function safePath(p: string): string {
  // Paths are ours (a mkdtemp directory); anything else would need filtergraph escaping.
  if (!SAFE_PATH.test(p)) throw new Error(`Unsafe path for an ffmpeg filtergraph: ${p}`);
  return p;
}

const num = (n: number) => String(Math.round(n * 10_000) / 10_000);

/** Fade in and out over `fade` seconds within a clip of `duration` seconds. */
function alphaExpr(duration: number, fade: number): string {
  return `'if(lt(t,${num(fade)}),t/${num(fade)},if(gt(t,${num(duration - fade)}),max(0,(${num(duration)}-t)/${num(fade)}),1))'`;
}

function captionFilter(file: string, timeline: Timeline, duration: number): string {
  const size = Math.round(timeline.height * 0.042);
  return [
    `drawtext=textfile=${safePath(file)}`,
    "expansion=none",
    `fontsize=${size}`,
    "fontcolor=white",
    `line_spacing=${Math.round(size * 0.3)}`,
    "box=1",
    "boxcolor=black@0.5",
    `boxborderw=${Math.round(size * 0.55)}`,
    "x=(w-text_w)/2",
    `y=h-text_h-${Math.round(timeline.height * 0.09)}`,
    `alpha=${alphaExpr(duration, Math.min(0.5, duration / 4))}`,
  ].join(":");
}

export function buildRenderArgs(cmd: RenderCommand): string[] {
  const { timeline: tl } = cmd;
  if (cmd.sources.length !== tl.shots.length) throw new Error("One source per shot is required");
  const args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"];
  const graph: string[] = [];
  const labels: string[] = [];
  const size = `${tl.width}x${tl.height}`;
  const common = `format=yuv420p,setsar=1,settb=1/${tl.fps}`;

  if (tl.title) {
    const fontsize = Math.round(tl.height * 0.075);
    const title = cmd.titleFile
      ? `,drawtext=textfile=${safePath(cmd.titleFile)}:expansion=none:fontsize=${fontsize}:fontcolor=white:line_spacing=${Math.round(fontsize * 0.25)}:x=(w-text_w)/2:y=(h-text_h)/2:alpha=${alphaExpr(tl.title.duration, 0.6)}`
      : "";
    graph.push(`color=c=0x111827:s=${size}:r=${tl.fps}:d=${num(tl.title.duration)},${common}${title}[title]`);
    labels.push("[title]");
  }

  tl.shots.forEach((shot, i) => {
    const source = cmd.sources[i];
    const frameCount = Math.max(2, Math.round(shot.duration * tl.fps));
    let chain: string;
    if (source.kind === "still") {
      // One decoded frame in; zoompan emits every output frame from it (d = frame count),
      // so the photo is decoded once rather than once per frame as `-loop 1` would.
      args.push("-i", source.path);
      const n = frameCount - 1;
      const { zoomFrom: zf, zoomTo: zt, x, y } = shot.motion;
      const z = `'${num(zf)}+(${num(zt - zf)})*on/${n}'`;
      const px = `'(iw-iw/zoom)*(${num(x[0])}+(${num(x[1] - x[0])})*on/${n})'`;
      const py = `'(ih-ih/zoom)*(${num(y[0])}+(${num(y[1] - y[0])})*on/${n})'`;
      // JPEGs decode full-range (yuvj420p); converting the single input frame here is
      // far cheaper than converting every output frame after zoompan.
      chain = `[${i}:v]format=yuv420p,zoompan=z=${z}:x=${px}:y=${py}:d=${frameCount}:s=${size}:fps=${tl.fps},${common}`;
    } else {
      args.push("-i", source.path);
      chain =
        `[${i}:v]scale=${size}:force_original_aspect_ratio=increase,crop=${tl.width}:${tl.height},fps=${tl.fps},` +
        `tpad=stop_mode=clone:stop_duration=${num(shot.duration)},trim=duration=${num(shot.duration)},setpts=PTS-STARTPTS,${common}`;
    }
    const caption = cmd.captionFiles[i];
    if (caption) chain += `,${captionFilter(caption, tl, shot.duration)}`;
    graph.push(`${chain}[s${i}]`);
    labels.push(`[s${i}]`);
  });

  // Crossfade each clip into the growing video; clip k starts (fades in) at the running
  // length minus one transition, which is exactly its `start` in the timeline.
  let current = labels[0];
  const clipDurations = [...(tl.title ? [tl.title.duration] : []), ...tl.shots.map((s) => s.duration)];
  let length = clipDurations[0];
  for (let k = 1; k < labels.length; k++) {
    const offset = length - tl.transition.duration;
    const out = `[x${k}]`;
    graph.push(`${current}${labels[k]}xfade=transition=${tl.transition.name}:duration=${num(tl.transition.duration)}:offset=${num(offset)}${out}`);
    current = out;
    length = offset + clipDurations[k];
  }
  const fadeOut = Math.min(0.6, tl.total / 4);
  graph.push(`${current}fade=t=in:st=0:d=0.4,fade=t=out:st=${num(tl.total - fadeOut)}:d=${num(fadeOut)},format=yuv420p[out]`);

  args.push(
    "-filter_complex",
    graph.join(";"),
    "-map",
    "[out]",
    "-an",
    "-c:v",
    "libx264",
    "-preset",
    cmd.preset ?? "veryfast",
    "-crf",
    String(cmd.crf ?? 21),
    "-pix_fmt",
    "yuv420p",
    "-r",
    String(tl.fps),
    "-t",
    num(tl.total),
    "-movflags",
    "+faststart",
    "-progress",
    "pipe:1",
    "-nostats",
    cmd.output,
  );
  return args;
}

/** The poster: one frame a little into the first photo (past the title card). */
export function posterArgs(video: string, timeline: Timeline, output: string): string[] {
  const first = timeline.shots[0];
  const at = first ? Math.min(timeline.total - 0.1, first.start + Math.min(first.duration / 2, 1.5)) : 0;
  return ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-ss", num(Math.max(0, at)), "-i", video, "-frames:v", "1", "-q:v", "3", output];
}

/**
 * Breaks a caption into lines that fit the frame (drawtext does not wrap). Width in
 * characters is a conservative estimate for the default sans font at our size.
 */
export function wrapText(text: string, maxChars: number): string {
  const words = text.replace(/\s+/g, " ").trim().split(" ");
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (!line) line = word;
    else if ((line + " " + word).length <= maxChars) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.join("\n");
}
