import { describe, expect, it } from "vitest";
import { BIKE_SHARE, LIBRARY_JA, SOURDOUGH } from "@/test/fixtures/articles";
import type { GenerateRequest } from "./generate";
import { keyPhrases, summarize, summarizeLocally } from "./summarize";
import { splitSentences } from "./text";

const NOW = new Date("2026-12-01T10:00:00Z");

describe("local extractive summary", () => {
  const short = summarizeLocally({ text: BIKE_SHARE, length: "short" }, NOW);
  const medium = summarizeLocally({ text: BIKE_SHARE, length: "medium" }, NOW);
  const long = summarizeLocally({ text: BIKE_SHARE, length: "long" }, NOW);

  it("is made of whole sentences of the text, in the text's order", () => {
    const source = splitSentences(BIKE_SHARE);
    for (const r of [short, medium, long]) {
      const picked = splitSentences(r.summary);
      expect(picked.length).toBeGreaterThan(0);
      const positions = picked.map((s) => source.indexOf(s));
      expect(positions).not.toContain(-1);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
  });

  it("gets longer from short to medium to long, and is shorter than the text", () => {
    expect(short.summary.length).toBeLessThan(medium.summary.length);
    expect(medium.summary.length).toBeLessThan(long.summary.length);
    expect(long.summary.length).toBeLessThan(BIKE_SHARE.length * 0.6);
    expect(splitSentences(short.summary).length).toBeLessThanOrEqual(3);
  });

  it("is not just the opening of the text", () => {
    expect(BIKE_SHARE.startsWith(medium.summary)).toBe(false);
    expect(BIKE_SHARE.indexOf(splitSentences(medium.summary).at(-1)!)).toBeGreaterThan(300);
  });

  it("opens with the lead and keeps the headline numbers", () => {
    expect(short.summary).toMatch(/^Riverton's bike-share scheme completed its first full year/);
    expect(medium.summary).toContain("412,000 trips");
  });

  it("keeps 'Dr. Okafor' inside its sentence (abbreviations do not end sentences)", () => {
    for (const s of splitSentences(long.summary)) expect(s).not.toMatch(/^(Okafor|Maria)/);
    expect(long.keyPoints.join(" ")).not.toMatch(/(^|\s)Dr\.$/m);
  });

  it("lists key points from the text and characteristic key phrases", () => {
    expect(short.keyPoints.length).toBeGreaterThanOrEqual(3);
    for (const p of short.keyPoints) expect(BIKE_SHARE).toContain(p.replace(/…$/, ""));
    expect(short.keywords).toContain("docking stations");
    expect(short.keywords).toContain("council");
    expect(keyPhrases(SOURDOUGH)).toEqual(expect.arrayContaining(["dough", "flour"]));
  });

  it("reports when and how it was made", () => {
    expect(short).toMatchObject({ generated_at: "2026-12-01T10:00:00.000Z", method: "extractive", language: "en" });
  });

  it("is deterministic", () => {
    expect(summarizeLocally({ text: BIKE_SHARE, length: "medium" }, NOW)).toEqual(medium);
  });
});

describe("Japanese", () => {
  const r = summarizeLocally({ text: LIBRARY_JA, length: "medium" }, NOW);

  it("picks whole Japanese sentences, joined without spaces", () => {
    const source = splitSentences(LIBRARY_JA);
    const picked = splitSentences(r.summary);
    expect(picked.length).toBeGreaterThanOrEqual(2);
    for (const s of picked) expect(source).toContain(s);
    expect(r.summary).not.toMatch(/。 /);
    expect(r.summary.endsWith("。")).toBe(true);
    expect(r.summary.length).toBeLessThan(LIBRARY_JA.length / 2);
  });

  it("leads with the announcement and names the library in its key phrases", () => {
    expect(r.summary).toContain("午後九時まで延長");
    expect(r.keywords).toContain("図書館");
    expect(r.keywords).toContain("延長");
    expect(r.language).toBe("ja");
    expect(r.keyPoints.length).toBeGreaterThanOrEqual(3);
  });
});

describe("short texts", () => {
  it("returns a text under 300 characters whole", () => {
    const text = "The meeting moved to Thursday. Bring the budget figures.";
    const r = summarizeLocally({ text, length: "short" }, NOW);
    expect(r.summary).toBe(text);
    expect(r.keyPoints.length).toBeGreaterThan(0);
  });
});

describe("with a provider", () => {
  const reply = (text: string) => async (req: GenerateRequest) => {
    calls.push(req);
    return { text, provider: "gemini:test-model", usage: { inputTokens: 900, outputTokens: 60, costUsd: 0.0001 } };
  };
  let calls: GenerateRequest[] = [];

  it("uses a well-formed JSON answer and records who wrote it", async () => {
    calls = [];
    const json = '```json\n{"summary": "Riverton\'s bike-share beat its forecast.", "keyPoints": ["412,000 trips", "E-bikes most used"]}\n```';
    const out = await summarize({ text: BIKE_SHARE, length: "short", language: "ja" }, { generate: reply(json), now: () => NOW });
    expect(out.provider).toBe("gemini:test-model");
    expect(out.usage).toEqual({ inputTokens: 900, outputTokens: 60, costUsd: 0.0001 });
    expect(out.result).toMatchObject({ summary: "Riverton's bike-share beat its forecast.", method: "generative", language: "ja" });
    expect(out.result.keyPoints).toEqual(["412,000 trips", "E-bikes most used"]);
    // The prompt asks for the requested length and language, and carries the text.
    expect(calls[0].prompt).toContain("one or two sentences");
    expect(calls[0].prompt).toContain("Japanese");
    expect(calls[0].prompt).toContain("Castle Hill");
    expect(calls[0].json).toBeDefined();
  });

  it("falls back to the local summary when the reply is malformed, and says why", async () => {
    for (const bad of ["Sure! Here is a summary: the scheme did well.", '{"summary": "", "keyPoints": []}', '{"keyPoints": ["x"]}']) {
      const out = await summarize({ text: BIKE_SHARE, length: "short" }, { generate: reply(bad), now: () => NOW });
      expect(out.provider).toBe("local");
      expect(out.result).toEqual(summarizeLocally({ text: BIKE_SHARE, length: "short" }, NOW));
      expect(out.fallback?.from).toBe("gemini:test-model");
      expect(out.fallback?.reason).toMatch(/reply/);
    }
  });

  it("lets a provider failure through (so the job retries) unless told to fall back", async () => {
    const failing = async () => {
      throw new Error("503 from provider");
    };
    await expect(summarize({ text: BIKE_SHARE, length: "short" }, { generate: failing })).rejects.toThrow("503 from provider");
    const out = await summarize({ text: BIKE_SHARE, length: "short" }, { generate: failing, fallbackOnError: true });
    expect(out.provider).toBe("local");
    expect(out.fallback?.reason).toMatch(/503 from provider/);
  });

  it("stops when the job is canceled", async () => {
    const controller = new AbortController();
    const slow = (req: GenerateRequest) =>
      new Promise<never>((_, reject) => req.signal?.addEventListener("abort", () => reject(req.signal?.reason)));
    const pending = summarize({ text: BIKE_SHARE, length: "short" }, { generate: slow, signal: controller.signal, fallbackOnError: true });
    controller.abort(new Error("canceled by user"));
    await expect(pending).rejects.toThrow("canceled by user");
    await expect(summarize({ text: "x", length: "short" }, { signal: controller.signal })).rejects.toThrow("canceled by user");
  });
});
