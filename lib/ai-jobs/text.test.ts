import { describe, expect, it } from "vitest";
import { cosine, guessLanguage, joinSentences, splitSentences, tfidfVectors, tokenize, truncate } from "./text";

describe("splitSentences", () => {
  it("does not break after abbreviations, initials, decimals or inside quotations", () => {
    expect(
      splitSentences(
        'Dr. Smith arrived at 9 a.m. The meeting began. J. K. Rowling wrote e.g. books about No. 5 things. ' +
          'Prices rose 3.5 percent in the U.S. economy. "Is it done?" she asked. Wait... What happened? It was fine.',
      ),
    ).toEqual([
      "Dr. Smith arrived at 9 a.m.",
      "The meeting began.",
      "J. K. Rowling wrote e.g. books about No. 5 things.",
      "Prices rose 3.5 percent in the U.S. economy.",
      '"Is it done?" she asked.',
      "Wait...",
      "What happened?",
      "It was fine.",
    ]);
  });

  it("splits Japanese on 。！？ with no space after them, and keeps a quoted sentence together", () => {
    expect(splitSentences("設計書です。優先度は4段階あります！本当ですか？「はい。」と答えた。最後の文")).toEqual([
      "設計書です。",
      "優先度は4段階あります！",
      "本当ですか？",
      "「はい。」と答えた。",
      "最後の文",
    ]);
  });

  it("treats blank lines as paragraph ends and single line breaks as soft wraps", () => {
    expect(splitSentences("A heading\n\nThis line is\nwrapped by hand. Second one.\n- a list item\n- another")).toEqual([
      "A heading",
      "This line is wrapped by hand.",
      "Second one.",
      "- a list item",
      "- another",
    ]);
    expect(splitSentences("日本語の文が\n途中で折り返されている。")).toEqual(["日本語の文が途中で折り返されている。"]);
  });

  it("joins sentences back with a space for English and none for Japanese", () => {
    expect(joinSentences(["One.", "Two."])).toBe("One. Two.");
    expect(joinSentences(["一つ。", "二つ。"])).toBe("一つ。二つ。");
  });
});

describe("tokenize", () => {
  it("drops English stopwords, folds plurals, keeps numbers and hyphenated words", () => {
    expect(tokenize("The queues' priorities rose 3.5% in 2024 for bike-share users")).toEqual([
      "queue",
      "priority",
      "rose",
      "3.5%",
      "2024",
      "bike-share",
      "user",
    ]);
  });

  it("cuts Japanese into character bigrams, skipping particle-only pairs, and splits mixed scripts", () => {
    expect(tokenize("AIの図書館です")).toEqual(["ai", "の図", "図書", "書館", "館で"]);
    expect(tokenize("ＡＢＣ１２３")).toEqual(["abc123"]); // full-width forms are normalised
  });

  it("guesses the language from the script", () => {
    expect(guessLanguage("図書館は午後九時まで開館します。")).toBe("ja");
    expect(guessLanguage("The library opens late.")).toBe("en");
  });
});

describe("TF-IDF cosine", () => {
  it("is 1 for the same text and 0 for texts with nothing in common", () => {
    const [a, b, c] = tfidfVectors([tokenize("bicycles docking stations"), tokenize("bicycles docking stations"), tokenize("sourdough flour")]);
    expect(cosine(a, b)).toBeCloseTo(1, 10);
    expect(cosine(a, c)).toBe(0);
  });
});

describe("truncate", () => {
  it("cuts at a word boundary with an ellipsis", () => {
    expect(truncate("The council will vote next month on the extension", 30)).toBe("The council will vote next…");
    expect(truncate("short", 30)).toBe("short");
  });
});
