// The script a generated episode reads: its title, cleaned text, and the 20-minute limit.
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "@/lib/errors";
import { buildScript, MAX_SPEECH_MINUTES, WORDS_PER_MINUTE } from "./speech";

describe("buildScript", () => {
  it("takes a short first line standing alone as the title, and reads it first", () => {
    const s = buildScript({ text: "Trains in the hills\n\nThe railway reopened.\n\nIt was busy.", title: null });
    expect(s.title).toBe("Trains in the hills");
    expect(s.text).toBe("Trains in the hills.\n\nThe railway reopened.\n\nIt was busy.");
  });

  it("prefers a page's title; links and markup symbols are not read aloud", () => {
    const s = buildScript({ text: "## Intro\n\nSee [the **map**](https://x.test/m) at https://x.test/a now.", title: "  Bike share  " });
    expect(s.title).toBe("Bike share");
    expect(s.text).toBe("Bike share.\n\nIntro\n\nSee the map at now.");
  });

  it("names a one-paragraph text by its first words", () => {
    expect(buildScript({ text: "one two three four five six seven eight nine ten", title: null }).title).toBe("one two three four five six seven eight…");
  });

  it("refuses a text longer than 20 minutes of speech, naming the field, and an empty one", () => {
    const words = Array.from({ length: MAX_SPEECH_MINUTES * WORDS_PER_MINUTE + 10 }, () => "word").join(" ");
    const err = (() => {
      try {
        buildScript({ text: words, title: null }, "payload.url");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).fields["payload.url"]).toMatch(/at most 20 minutes/);
    expect(() => buildScript({ text: " ** \n\n ", title: null })).toThrow(/payload\.text: There is no text/);
  });
});
