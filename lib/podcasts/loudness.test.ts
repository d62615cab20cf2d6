import { describe, expect, it } from "vitest";
import { makeSilence, makeSpeech, makeTone } from "@/test/audio";
import { createEbur128Collector, measureLoudness, parseLoudnormJson } from "./loudness";

describe("measureLoudness", () => {
  it("measures a 997 Hz sine at −20 dBFS as −23 LUFS with a −20 dBTP peak (the BS.1770 calibration)", async () => {
    const tone = await makeTone(10, { frequency: 997, levelDb: -20 });
    const m = await measureLoudness(tone, { ffmpeg: "ffmpeg" });
    expect(m.integratedLufs!).toBeCloseTo(-23, 0);
    expect(m.truePeakDbtp!).toBeCloseTo(-20, 0);
    expect(m.lra).toBeLessThan(1);
  });

  it("hears a 10 dB quieter recording as 10 LU quieter", async () => {
    const text = "Loudness is measured the same way for every recording.";
    const normal = await measureLoudness(await makeSpeech(text), { ffmpeg: "ffmpeg" });
    const quiet = await measureLoudness(await makeSpeech(text, { gainDb: -10 }), { ffmpeg: "ffmpeg" });
    expect(normal.integratedLufs! - quiet.integratedLufs!).toBeCloseTo(10, 0);
    expect(normal.truePeakDbtp! - quiet.truePeakDbtp!).toBeCloseTo(10, 0);
  });

  it("reports silence as no loudness at all", async () => {
    const m = await measureLoudness(await makeSilence(3), { ffmpeg: "ffmpeg" });
    expect(m).toMatchObject({ integratedLufs: null, truePeakDbtp: null });
  });
});

describe("createEbur128Collector", () => {
  it("reads ebur128's summary, not the per-frame lines", () => {
    const c = createEbur128Collector();
    for (const line of [
      "[Parsed_ebur128_0 @ 0x55] t: 0.1 TARGET:-23 LUFS M:-120.7 S:-120.7 I: -70.0 LUFS LRA: 0.0 LU",
      "[Parsed_ebur128_0 @ 0x55] Summary:",
      "",
      "  Integrated loudness:",
      "    I:         -21.1 LUFS",
      "    Threshold: -31.4 LUFS",
      "  Loudness range:",
      "    LRA:         2.1 LU",
      "    Threshold: -41.3 LUFS",
      "  True peak:",
      "    Peak:       -1.2 dBFS",
    ]) c.line(line);
    expect(c.measurement()).toEqual({ integratedLufs: -21.1, truePeakDbtp: -1.2, lra: 2.1, thresholdLufs: -31.4 });
    expect(createEbur128Collector().measurement()).toBeNull();
  });
});

describe("parseLoudnormJson", () => {
  it("turns -inf into null", () => {
    const r = parseLoudnormJson('{"input_i":"-inf","input_tp":"-inf","input_lra":"0.00","input_thresh":"-70.00","output_i":"-16.1","output_tp":"-1.5","output_lra":"2","output_thresh":"-26","normalization_type":"dynamic","target_offset":"inf"}');
    expect(r).toMatchObject({ input: { i: null, tp: null }, output: { i: -16.1, tp: -1.5 }, normalizationType: "dynamic", targetOffset: null });
  });
});
