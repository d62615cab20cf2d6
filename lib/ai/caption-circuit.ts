// Photo captions have no fallback provider, so they cannot skip Gemini; they can at least
// honour its retry delay across all workers. Before each call: if any process met a 429
// and Gemini's delay has not passed, fail as rate limited for the rest of it (the worker
// waits without spending an attempt) instead of sending another request. After a 429:
// record the delay in the shared circuit (which also makes the text chain skip Gemini).
// Outages and quota are left to the worker's existing handling, as before.
import type { Circuit } from "./circuit";
import { AiError } from "./errors";
import type { AiProvider } from "./types";

export function honourRateLimits(provider: AiProvider, circuitName: string, circuit: Circuit, label = "Gemini"): AiProvider {
  return {
    name: provider.name,
    async describe(input, signal) {
      const { waitMs } = await circuit.state(circuitName);
      if (waitMs > 0) {
        throw new AiError("rate_limited", `${label} asked us to slow down; trying again in ${Math.ceil(waitMs / 1000)} s`, waitMs);
      }
      try {
        return await provider.describe(input, signal);
      } catch (err) {
        if (err instanceof AiError && err.kind === "rate_limited") await circuit.trip(circuitName, err).catch(() => {});
        throw err;
      }
    },
  };
}
