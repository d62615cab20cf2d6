import { describe, expect, it } from "vitest";
import { createAiProvider } from "./index";

const base = { GEMINI_MODEL: "gemini-2.5-flash", GEMINI_BASE_URL: undefined, AI_TIMEOUT_MS: 30_000 };

describe("createAiProvider", () => {
  it("uses Gemini when an API key is set", () => {
    expect(createAiProvider({ ...base, GEMINI_API_KEY: "k" }).name).toBe("gemini:gemini-2.5-flash");
  });

  it("falls back to the local describer without a key, or with a blank one", () => {
    expect(createAiProvider({ ...base, GEMINI_API_KEY: undefined }).name).toBe("local");
    expect(createAiProvider({ ...base, GEMINI_API_KEY: "  " }).name).toBe("local");
  });
});
