import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "@/lib/errors";
import { analyzeImage } from "@/lib/media/image";
import { BIKE_SHARE, BIKE_SHARE_FOLLOW_UP, LIBRARY_JA, SOURDOUGH } from "@/test/fixtures/articles";
import { makeJpeg } from "@/test/test-images";
import { calculateSimilarity, phashSimilarity, textSimilarity, textSimilarityMatrix } from "./similarity";

describe("text similarity", () => {
  it("is 1 for identical texts and about 0 for unrelated ones", () => {
    expect(textSimilarity(BIKE_SHARE, BIKE_SHARE)).toBe(1);
    expect(textSimilarity(LIBRARY_JA, LIBRARY_JA)).toBe(1);
    expect(textSimilarity(BIKE_SHARE, SOURDOUGH)).toBeLessThan(0.05);
    expect(textSimilarity(LIBRARY_JA, SOURDOUGH)).toBe(0);
  });

  it("ranks a follow-up report on the same story above an unrelated text", () => {
    const related = textSimilarity(BIKE_SHARE, BIKE_SHARE_FOLLOW_UP);
    expect(related).toBeGreaterThan(0.2);
    expect(related).toBeGreaterThan(textSimilarity(SOURDOUGH, BIKE_SHARE_FOLLOW_UP) * 5);
  });

  it("finds Japanese texts on the same subject similar (character bigrams)", () => {
    expect(textSimilarity(LIBRARY_JA, "図書館は平日の開館時間を夜九時まで延長する。")).toBeGreaterThan(0.1);
    expect(textSimilarity("図書館は平日の開館時間を延長する。", "パンを焼くには小麦粉と水を混ぜる。")).toBe(0);
  });

  it("ignores case, plurals and stopwords", () => {
    expect(textSimilarity("The Docking Stations", "a docking station")).toBe(1);
  });

  it("builds a symmetric matrix with 1s on the diagonal", async () => {
    const items = [BIKE_SHARE, BIKE_SHARE_FOLLOW_UP, SOURDOUGH, LIBRARY_JA];
    const out = await calculateSimilarity({ items });
    expect(out.provider).toBe("local");
    const { matrix } = out.result as { matrix: number[][] };
    expect(matrix).toHaveLength(4);
    for (let i = 0; i < 4; i++) {
      expect(matrix[i][i]).toBe(1);
      for (let j = 0; j < 4; j++) {
        expect(matrix[i][j]).toBe(matrix[j][i]);
        expect(matrix[i][j]).toBeGreaterThanOrEqual(0);
        expect(matrix[i][j]).toBeLessThanOrEqual(1);
      }
    }
    // The two bike-share reports are each other's nearest neighbour.
    expect(matrix[0][1]).toBeGreaterThan(Math.max(matrix[0][2], matrix[0][3]));
    expect(textSimilarityMatrix(items)).toEqual(matrix);
  });

  it("answers { a, b } with a score", async () => {
    expect((await calculateSimilarity({ a: "cats purr", b: "cats purr" })).result).toEqual({ score: 1, method: "tfidf" });
  });
});

describe("text similarity by embeddings", () => {
  // Vectors that make the ranking obvious: the follow-up points almost the same way as the story.
  const VECTORS: Record<string, number[]> = { story: [1, 0, 0], followUp: [0.9, 0.3, 0], bread: [0, 0, 1], opposite: [-1, 0, 0] };
  const embed = (calls: string[][]) => async (texts: string[]) => {
    calls.push(texts);
    return { vectors: texts.map((t) => VECTORS[t]), provider: "gemini:gemini-embedding-001" };
  };

  it("scores a pair by the cosine of its vectors, says who made them, and keeps scores within 0..1", async () => {
    const calls: string[][] = [];
    const out = await calculateSimilarity({ a: "story", b: "followUp" }, { embed: embed(calls) });
    expect(out.provider).toBe("gemini:gemini-embedding-001");
    expect(out.result).toEqual({ score: 0.9487, method: "embeddings" });
    expect(calls).toEqual([["story", "followUp"]]);
    expect((await calculateSimilarity({ a: "story", b: "opposite" }, { embed: embed([]) })).result).toEqual({ score: 0, method: "embeddings" });
  });

  it("embeds many items in calls of 20, reporting progress after each, and builds the matrix from them", async () => {
    const calls: string[][] = [];
    const reported: number[] = [];
    const items = Array.from({ length: 45 }, (_, i) => ["story", "followUp", "bread"][i % 3]);
    const out = await calculateSimilarity({ items }, { embed: embed(calls), progress: async (p) => void reported.push(p) });
    expect(calls.map((c) => c.length)).toEqual([20, 20, 5]);
    expect(reported).toEqual([45, 81, 90]);
    const { matrix, method } = out.result as { matrix: number[][]; method: string };
    expect(method).toBe("embeddings");
    expect(matrix[0][1]).toBe(0.9487);
    expect(matrix[0][2]).toBe(0);
    expect(matrix[0][3]).toBe(1);
  });

  it("uses TF-IDF when it is the local method's turn, and says the provider could not answer", async () => {
    const out = await calculateSimilarity({ a: "cats purr", b: "cats purr" }, { embed: async () => null });
    expect(out.result).toEqual({ score: 1, method: "tfidf" });
    expect(out.provider).toBe("local");
    expect(out.fallback?.reason).toMatch(/TF-IDF/);
  });
});

describe("photo similarity by perceptual hash", () => {
  it("finds a resized copy nearly identical and a different photo far less similar", async () => {
    const one = await makeJpeg({ width: 800, height: 600, seed: 11 });
    const other = await makeJpeg({ width: 800, height: 600, seed: 12 });
    const resized = await sharp(one).resize(720).jpeg({ quality: 75 }).toBuffer();
    const analysed = await Promise.all([one, resized, other].map((b) => analyzeImage(b, { maxPixels: 50_000_000 })));
    const hashes = new Map([
      ["11111111-1111-4111-8111-111111111111", analysed[0].phash],
      ["22222222-2222-4222-8222-222222222222", analysed[1].phash],
      ["33333333-3333-4333-8333-333333333333", analysed[2].phash],
    ]);
    const out = await calculateSimilarity({ mediaIds: [...hashes.keys()] }, { loadPhash: async (id) => hashes.get(id) ?? null });
    const { matrix } = out.result as { matrix: number[][] };
    expect(out.result).toMatchObject({ method: "phash" });
    expect(matrix[0][0]).toBe(1);
    expect(matrix[0][1]).toBeGreaterThanOrEqual(0.93); // ≤ 4 of 64 bits differ
    expect(matrix[0][2]).toBeLessThan(0.82); // > 12 bits differ
    expect(matrix[1][0]).toBe(matrix[0][1]);
  });

  it("names the photo that has no fingerprint yet", async () => {
    const ids = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"];
    const err = await calculateSimilarity({ mediaIds: ids }, { loadPhash: async (id) => (id === ids[0] ? "00ff00ff00ff00ff" : null) }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(Object.keys((err as InvalidInputError).fields)).toEqual(["payload.mediaIds.1"]);
  });

  it("maps Hamming distance onto 0..1", () => {
    expect(phashSimilarity("ffffffffffffffff", "ffffffffffffffff")).toBe(1);
    expect(phashSimilarity("ffffffffffffffff", "0000000000000000")).toBe(0);
    expect(phashSimilarity("ffffffff00000000", "0000000000000000")).toBe(0.5);
  });
});
