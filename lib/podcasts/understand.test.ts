import { describe, expect, it } from "vitest";
import { NO_RECOGNISER, NO_SPEECH, type Understanding } from "./local-understand";
import { chooseUnderstandProvider, type GeminiUnderstand, type UnderstandInput } from "./understand";

const config = { GEMINI_MODEL: "gemini-2.5-flash", AI_TIMEOUT_MS: 30_000 };
const input: UnderstandInput = {
  file: "/tmp/x.mp3",
  fileName: "morning_show-episode-3.mp3",
  mime: "audio/mpeg",
  tags: {},
  durationSeconds: 600,
  silences: [{ start: 250, end: 254 }],
  silenceOnly: false,
  language: "en",
};
const fromModel: Understanding = {
  title: "Trains",
  summary: "About trains.",
  showNotes: null,
  keywords: ["trains"],
  chapters: [],
  transcript: [{ start: 0, end: 2, text: "Hello." }],
  transcriptUnavailableReason: null,
  language: "en",
  model: "gemini:gemini-2.5-flash",
  noSpeech: false,
};

describe("choosing who understands an episode", () => {
  it("is the local path without a key, or without a Gemini implementation plugged in", async () => {
    const gemini: GeminiUnderstand = async () => fromModel;
    expect(chooseUnderstandProvider(config, gemini).name).toBe("local");
    expect(chooseUnderstandProvider({ ...config, GEMINI_API_KEY: "key" }).name).toBe("local");
    const local = await chooseUnderstandProvider(config).understand(input);
    expect(local).toMatchObject({ title: "Morning show episode 3", transcript: null, transcriptUnavailableReason: NO_RECOGNISER, model: "local" });
    expect(local.chapters.map((c) => c.startTime)).toEqual([0, 253.75]);
  });

  it("is Gemini with a key and an implementation, given the key and model; never for silence", async () => {
    const calls: unknown[] = [];
    const gemini: GeminiUnderstand = async (_input, cfg) => {
      calls.push(cfg);
      return fromModel;
    };
    const provider = chooseUnderstandProvider({ ...config, GEMINI_API_KEY: " key " }, gemini);
    expect(provider.name).toBe("gemini:gemini-2.5-flash");
    expect(await provider.understand(input)).toBe(fromModel);
    expect(calls).toEqual([{ apiKey: "key", model: "gemini-2.5-flash", baseUrl: undefined, timeoutMs: 30_000 }]);
    const silent = await provider.understand({ ...input, silenceOnly: true });
    expect(silent).toMatchObject({ noSpeech: true, transcriptUnavailableReason: NO_SPEECH, model: "local" });
    expect(calls).toHaveLength(1);
  });
});
