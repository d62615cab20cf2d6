// EBU R128 loudness of a recording: integrated loudness (LUFS), true peak (dBTP) and
// loudness range (LU). Measured with ffmpeg's ebur128 filter (true peak by oversampling),
// which reads a file about five times faster than loudnorm's analysis mode, and whose
// numbers loudnorm's second pass accepts as its `measured_*` values. Also reads the JSON
// report loudnorm prints when it normalises (encode.ts).
import { RejectedInputError } from "@/lib/errors";
import { runFfmpeg } from "@/lib/ffmpeg/run";

export interface LoudnessTargets {
  /** Integrated loudness, LUFS. */
  integratedLufs: number;
  /** Highest true peak, dBTP. */
  truePeakDbtp: number;
  /** Loudness range, LU. */
  lra: number;
}

/**
 * What a podcast is normalised to: −16 LUFS integrated (what Apple and most apps expect for
 * spoken word), true peak at most −1 dBTP, loudness range 11 LU.
 */
export const PODCAST_LOUDNESS: LoudnessTargets = { integratedLufs: -16, truePeakDbtp: -1, lra: 11 };

export interface LoudnessMeasurement {
  /** Integrated loudness in LUFS; null when nothing is above the −70 LUFS gate (silence). */
  integratedLufs: number | null;
  /** Highest true peak in dBTP; null for digital silence. */
  truePeakDbtp: number | null;
  /** Loudness range in LU. */
  lra: number;
  /** The relative gate of the integrated measurement, LUFS (loudnorm's `measured_thresh`). */
  thresholdLufs: number;
}

/** The ebur128 filter as used for measuring (true peak on, per-frame log kept quiet). */
export const EBUR128_FILTER = "ebur128=peak=true:framelog=verbose";

/**
 * Collects the summary ebur128 prints at the end of a run from ffmpeg's stderr lines.
 * Feed it every line; `measurement()` returns null if no summary was seen.
 */
export function createEbur128Collector() {
  let inSummary = false;
  let section = "";
  const found: { i?: number; thresh?: number; lra?: number; peak?: number } = {};
  return {
    line(raw: string) {
      const line = raw.trim();
      if (/Parsed_ebur128_\d+ @ .*Summary:/.test(line)) {
        inSummary = true;
        return;
      }
      if (!inSummary) return;
      if (/^Integrated loudness:/.test(line)) section = "i";
      else if (/^Loudness range:/.test(line)) section = "lra";
      else if (/^True peak:/.test(line)) section = "peak";
      const value = /^(I|Threshold|LRA|Peak):\s*(-?inf|-?[\d.]+)/.exec(line);
      if (!value) return;
      const n = value[2].endsWith("inf") ? -Infinity : Number.parseFloat(value[2]);
      if (value[1] === "I") found.i = n;
      else if (value[1] === "Threshold" && section === "i") found.thresh = n;
      else if (value[1] === "LRA") found.lra = n;
      else if (value[1] === "Peak" && section === "peak") found.peak = n;
    },
    measurement(): LoudnessMeasurement | null {
      if (found.i === undefined) return null;
      return {
        // ebur128 reports −70 (its absolute gate) when nothing passes the gate.
        integratedLufs: found.i > -70 ? found.i : null,
        truePeakDbtp: found.peak !== undefined && Number.isFinite(found.peak) ? found.peak : null,
        lra: found.lra ?? 0,
        thresholdLufs: found.thresh !== undefined && found.thresh < 0 ? found.thresh : -70,
      };
    },
  };
}

/** The report loudnorm prints at the end of a run with `print_format=json`. */
export interface LoudnormReport {
  input: { i: number | null; tp: number | null; lra: number; thresh: number };
  output: { i: number | null; tp: number | null; lra: number; thresh: number };
  normalizationType: "dynamic" | "linear" | string;
  targetOffset: number | null;
}

/** Collects loudnorm's JSON block (the `{ … }` lines after `[Parsed_loudnorm_N @ …]`). */
export function createLoudnormCollector() {
  let inBlock = false;
  let block: string[] = [];
  let last: string | null = null;
  return {
    line(line: string) {
      const t = line.trim();
      if (!inBlock && t === "{") {
        inBlock = true;
        block = [t];
      } else if (inBlock) {
        block.push(t);
        if (t === "}") {
          inBlock = false;
          last = block.join("\n");
        }
      }
    },
    report(): LoudnormReport | null {
      return last ? parseLoudnormJson(last) : null;
    },
  };
}

export function parseLoudnormJson(text: string): LoudnormReport {
  const raw = JSON.parse(text) as Record<string, string>;
  const value = (key: string): number | null => {
    const n = Number.parseFloat(raw[key]);
    return Number.isFinite(n) ? n : null;
  };
  return {
    input: { i: value("input_i"), tp: value("input_tp"), lra: value("input_lra") ?? 0, thresh: value("input_thresh") ?? -70 },
    output: { i: value("output_i"), tp: value("output_tp"), lra: value("output_lra") ?? 0, thresh: value("output_thresh") ?? -70 },
    normalizationType: raw.normalization_type ?? "unknown",
    targetOffset: value("target_offset"),
  };
}

export interface MeasureOptions {
  ffmpeg: string;
  /** Filters applied before measuring (e.g. the encoder's limiter), ending with a comma. */
  preFilter?: string;
  signal?: AbortSignal;
  /** For progress: the recording's length in seconds. */
  durationSeconds?: number;
  onProgress?: (fraction: number) => void;
}

/** Measures a file's loudness (one full decode). */
export async function measureLoudness(file: string, opts: MeasureOptions): Promise<LoudnessMeasurement> {
  const collector = createEbur128Collector();
  await runFfmpeg(
    opts.ffmpeg,
    ["-hide_banner", "-nostdin", "-i", file, "-map", "0:a:0", "-af", (opts.preFilter ?? "") + EBUR128_FILTER, "-progress", "pipe:1", "-nostats", "-f", "null", "-"],
    { signal: opts.signal, totalSeconds: opts.durationSeconds, onProgress: opts.onProgress, onStderrLine: collector.line, label: "The loudness measurement" },
  );
  const m = collector.measurement();
  if (!m) throw new RejectedInputError("damaged", "The loudness of this recording could not be measured; the audio looks damaged.");
  return m;
}
