// Reads back a rendered video's duration, size and codec with ffprobe (the runner lives in
// lib/ffmpeg, shared with podcast audio).
import { FfmpegError, runCapture } from "@/lib/ffmpeg/run";

export interface ProbeResult {
  durationSec: number;
  width: number;
  height: number;
  codec: string;
}

/** Duration, size and codec of a video file, read by ffprobe. */
export async function probeVideo(bin: string, file: string): Promise<ProbeResult> {
  const args = ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,codec_name:format=duration", "-of", "json", file];
  let stdout: string;
  try {
    ({ stdout } = await runCapture(bin, args));
  } catch (e) {
    if (e instanceof FfmpegError && e.detail !== undefined) {
      throw new FfmpegError(`The video could not be read back: ${e.detail.trim().slice(0, 200)}`, "permanent", e.detail);
    }
    throw e;
  }
  try {
    const json = JSON.parse(stdout) as { streams?: { width: number; height: number; codec_name: string }[]; format?: { duration?: string } };
    const stream = json.streams?.[0];
    if (!stream) throw new Error("no video stream");
    return { durationSec: Number(json.format?.duration ?? 0), width: stream.width, height: stream.height, codec: stream.codec_name };
  } catch (e) {
    throw new FfmpegError(`The video could not be read back: ${(e as Error).message}`, "permanent");
  }
}
