import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "../env";
import { createAiChainFromEnv, createAiProvider } from "./index";

// Never connects: building the chain only keeps the client.
const redis = new Redis({ lazyConnect: true });
afterAll(() => redis.disconnect());

function captions(vars: Record<string, string>) {
  const config = parseEnv({ DATABASE_URL: "postgresql://x@127.0.0.1/x", ...vars });
  return createAiProvider(config, { chain: createAiChainFromEnv(config, redis) }).name;
}

describe("createAiProvider", () => {
  it("describes photos through the AI_PROVIDERS chain: the configured providers, in order", () => {
    expect(captions({ GEMINI_API_KEY: "k" })).toBe("gemini,local");
    expect(captions({ AI_PROVIDERS: "openai,anthropic,local", OPENAI_API_KEY: "o", ANTHROPIC_API_KEY: "a" })).toBe("openai,anthropic,local");
  });

  it("is the local describer itself when no remote provider is configured (a blank key counts as none)", () => {
    expect(captions({})).toBe("local");
    expect(captions({ GEMINI_API_KEY: "  " })).toBe("local");
  });
});
