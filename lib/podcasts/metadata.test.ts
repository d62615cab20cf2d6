import { describe, expect, it } from "vitest";
import { PODCAST_LOUDNESS } from "./loudness";
import { buildEpisodeMetadata, cleanKeywords, episodeMetadataJson, type EpisodeMetadataInput } from "./metadata";

const BASE: EpisodeMetadataInput = {
  title: '  Fish & Chips <live> "at last" 🎙️ ',
  summary: "We talk about fish.",
  keywords: ["Fish", "fish", " chips  ", "", "cooking"],
  durationSeconds: 1799.6,
  transcript: [
    { start: 0, end: 2, speaker: "Ada", text: "Hello." },
    { start: 2, end: 4, speaker: "Bob", text: "Hi & welcome." },
  ],
  language: "en",
  chapters: [{ startTime: 0, title: "Intro" }, { startTime: 600, title: "Chips" }],
  source: { fileName: "C:\\Users\\ada\\Desktop\\episode\u0007 1.wav", sizeBytes: 317_000_000, mime: "audio/wav", codec: "pcm_s16le", sampleRate: 44100, channels: 2, bitRate: 1_411_200 },
  output: { sizeBytes: 28_800_000, bitrateKbps: 128, channels: 2, sampleRate: 44100 },
  loudness: {
    target: PODCAST_LOUDNESS,
    before: { integratedLufs: -23.4, truePeakDbtp: -3.1, lra: 6.2, thresholdLufs: -33.5 },
    after: { integratedLufs: -16.1, truePeakDbtp: -1.4, lra: 5.9, thresholdLufs: -26.2 },
  },
  model: "gemini-2.5-flash",
  generatedAt: new Date("2025-06-01T10:00:00Z"),
};

describe("buildEpisodeMetadata", () => {
  it("has the seed's fields plus source, output, loudness and model", () => {
    expect(buildEpisodeMetadata(BASE)).toEqual({
      title: 'Fish & Chips <live> "at last" 🎙️',
      summary: "We talk about fish.",
      transcript: "Ada: Hello.\n\nBob: Hi & welcome.",
      duration_seconds: 1800,
      keywords: ["Fish", "chips", "cooking"],
      language: "en",
      chapters: [
        { start_time: 0, title: "Intro" },
        { start_time: 600, title: "Chips" },
      ],
      source: { file_name: "episode 1.wav", size_bytes: 317_000_000, mime: "audio/wav", codec: "pcm_s16le", sample_rate: 44100, channels: 2, bit_rate: 1_411_200 },
      output: { size_bytes: 28_800_000, mime: "audio/mpeg", bitrate_kbps: 128, channels: 2, sample_rate: 44100 },
      loudness: {
        target: { integrated_lufs: -16, true_peak_dbtp: -1, lra: 11 },
        before: { integrated_lufs: -23.4, true_peak_dbtp: -3.1, lra: 6.2 },
        after: { integrated_lufs: -16.1, true_peak_dbtp: -1.4, lra: 5.9 },
      },
      model: "gemini-2.5-flash",
      generated_at: "2025-06-01T10:00:00.000Z",
    });
  });

  it("says why there is no transcript, and has no output before publishing", () => {
    const m = buildEpisodeMetadata({
      ...BASE,
      transcript: null,
      transcriptUnavailableReason: "No offline speech recogniser is installed, so there is no transcript.",
      output: null,
      loudness: { target: PODCAST_LOUDNESS, before: null },
      model: "local",
    });
    expect(m.transcript).toBeNull();
    expect(m.transcript_unavailable_reason).toBe("No offline speech recogniser is installed, so there is no transcript.");
    expect(m.output).toBeNull();
    expect(m.loudness.after).toBeNull();
  });

  it("serialises to JSON that parses back to the same thing, emoji and quotes intact", () => {
    const text = episodeMetadataJson(BASE);
    expect(text.endsWith("}\n")).toBe(true);
    expect(JSON.parse(text).title).toBe('Fish & Chips <live> "at last" 🎙️');
  });
});

describe("cleanKeywords", () => {
  it("keeps at most 20, each on one line and at most 50 characters", () => {
    const many = Array.from({ length: 30 }, (_, i) => `word ${i}`);
    expect(cleanKeywords(many)).toHaveLength(20);
    expect(cleanKeywords(["a\nb", "x".repeat(80)])).toEqual(["a b", "x".repeat(50)]);
  });
});
