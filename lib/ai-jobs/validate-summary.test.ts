import { describe, expect, it } from "vitest";
import { BIKE_SHARE, LIBRARY_JA } from "@/test/fixtures/articles";
import type { GenerateRequest } from "./generate";
import { summarizeLocally } from "./summarize";
import { validateSummary, validateSummaryLocally } from "./validate-summary";

const FAITHFUL =
  "Riverton's bike-share scheme finished its first year with 412,000 trips, far more than the council forecast. " +
  "Electric bikes accounted for 58 percent of trips. " +
  "The scheme still loses money, but Dr. Okafor expects it to break even within three years.";
const INVENTED =
  "Riverton's bike-share scheme was closed after six months because nobody used it. " +
  "The mayor, John Pierce, blamed the weather and sold the 5,000 bicycles to a company in Paris.";

describe("local faithfulness check", () => {
  it("gives a summary taken from the text full marks", () => {
    const extractive = summarizeLocally({ text: BIKE_SHARE, length: "medium" }).summary;
    const r = validateSummaryLocally({ text: BIKE_SHARE, summary: extractive });
    expect(r.score).toBe(1);
    expect(r.faithful).toBe(true);
    expect(r.unsupportedClaims).toEqual([]);
  });

  it("scores a faithful paraphrase well above an invented summary", () => {
    const good = validateSummaryLocally({ text: BIKE_SHARE, summary: FAITHFUL });
    const bad = validateSummaryLocally({ text: BIKE_SHARE, summary: INVENTED });
    expect(good.faithful).toBe(true);
    expect(bad.faithful).toBe(false);
    expect(good.score).toBeGreaterThan(bad.score + 0.3);
    expect(bad.unsupportedClaims).toContain("The mayor, John Pierce, blamed the weather and sold the 5,000 bicycles to a company in Paris.");
  });

  it("points at the one invented sentence of an otherwise good summary", () => {
    const r = validateSummaryLocally({ text: BIKE_SHARE, summary: `${FAITHFUL} The council plans to launch electric scooters in 2025.` });
    expect(r.unsupportedClaims).toEqual(["The council plans to launch electric scooters in 2025."]);
    expect(r.faithful).toBe(false);
  });

  it("catches a changed number and a flipped negation", () => {
    const number = validateSummaryLocally({ text: BIKE_SHARE, summary: "Riders made 950,000 trips on the city's 1,200 bicycles." });
    expect(number.unsupportedClaims).toHaveLength(1);
    const flipped = validateSummaryLocally({
      text: BIKE_SHARE,
      summary: "Road casualty figures for cyclists did rise during the year, according to police data.",
    });
    const same = validateSummaryLocally({
      text: BIKE_SHARE,
      summary: "Road casualty figures for cyclists did not rise during the year, according to police data.",
    });
    expect(flipped.score).toBeLessThan(same.score);
  });

  it("measures coverage: a one-line summary covers less than a long one", () => {
    const oneLine = validateSummaryLocally({ text: BIKE_SHARE, summary: "Electric bikes accounted for 58 percent of trips." });
    const long = validateSummaryLocally({ text: BIKE_SHARE, summary: summarizeLocally({ text: BIKE_SHARE, length: "long" }).summary });
    expect(oneLine.coverage).toBeLessThan(long.coverage);
    expect(long.coverage).toBeGreaterThan(0.5);
  });

  it("works on Japanese", () => {
    const good = validateSummaryLocally({
      text: LIBRARY_JA,
      summary: "青葉市立図書館は、四月から平日の開館時間を午後九時まで延長する。利用者アンケートでは六割以上が夜の利用を望んだ。",
    });
    const bad = validateSummaryLocally({ text: LIBRARY_JA, summary: "青葉市立図書館は、来年から土曜日を休館にする。館長は予算不足が理由だと説明した。" });
    expect(good.faithful).toBe(true);
    expect(bad.faithful).toBe(false);
    expect(good.score).toBeGreaterThan(bad.score + 0.3);
    expect(bad.unsupportedClaims).toContain("館長は予算不足が理由だと説明した。");
  });
});

describe("with a judge", () => {
  it("uses a valid verdict and applies the threshold", async () => {
    const seen: GenerateRequest[] = [];
    const generate = async (req: GenerateRequest) => {
      seen.push(req);
      return { text: '{"score": 0.42, "unsupportedClaims": ["The mayor sold the bicycles."], "coverage": 0.3}', provider: "anthropic:test" };
    };
    const out = await validateSummary({ text: BIKE_SHARE, summary: INVENTED }, { generate });
    expect(out.provider).toBe("anthropic:test");
    expect(out.result).toEqual({ score: 0.42, faithful: false, unsupportedClaims: ["The mayor sold the bicycles."], coverage: 0.3, method: "judge" });
    expect(seen[0].prompt).toContain("John Pierce");
    expect(seen[0].prompt).toContain("Castle Hill");
  });

  it("falls back to the lexical check when the verdict is malformed", async () => {
    const generate = async () => ({ text: '{"score": "very high"}', provider: "openai:test" });
    const out = await validateSummary({ text: BIKE_SHARE, summary: INVENTED }, { generate });
    expect(out.provider).toBe("local");
    expect(out.fallback).toMatchObject({ from: "openai:test" });
    expect(out.result).toEqual(validateSummaryLocally({ text: BIKE_SHARE, summary: INVENTED }));
  });
});
