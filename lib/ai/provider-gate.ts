// "Gemini, not before T", for every call to it from every worker process. Gemini's 429
// carries how long to wait (google.rpc.RetryInfo.retryDelay); BullMQ's manual rate limit
// only holds on a queue with a limiter, and a job finishing meanwhile clears it, so a 3 s
// delay was followed by a re-send 0.3 s later (issue 13). Instead every Gemini client of
// the worker (photo captions, AI jobs, the vlog writer, Veo, podcast understanding) sends
// through this fetch, which:
//   - before each request, asks the shared circuit (lib/ai/circuit.ts, in Redis) whether
//     the provider's own delay is still running; if so the request is not sent and the call
//     fails as rate limited for the rest of the delay (the worker waits that long, without
//     spending an attempt);
//   - after a 429, records the delay the answer asks for, so every other process waits too.
// The SDK's fetch hook sees every request of a client (generateContent, Files API, Veo's
// operations), so no call path can forget it.
import type { Circuit } from "./circuit";
import { AiError } from "./errors";
import { classifyGeminiError } from "./gemini-errors";

export type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface GateOptions {
  circuit: Circuit;
  /** The circuit's provider name: "gemini" for every Gemini client (one key, one quota). */
  provider?: string;
  /** As users know it, for messages. */
  label?: string;
  /** The fetch that sends; default the global one. */
  fetch?: Fetch;
}

export function gatedFetch(options: GateOptions): Fetch {
  const provider = options.provider ?? "gemini";
  const label = options.label ?? "Gemini";
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  return async (input, init) => {
    const { waitMs } = await options.circuit.state(provider);
    if (waitMs > 0) {
      throw new AiError("rate_limited", `${label} asked us to slow down; trying again in ${Math.ceil(waitMs / 1000)} s`, waitMs);
    }
    const response = await send(input, init);
    if (response.status === 429) {
      // Read a copy: the SDK reads the original and throws its own ApiError from it.
      const body = await response
        .clone()
        .text()
        .catch(() => "");
      const err = classifyGeminiError(Object.assign(new Error(body), { status: 429 }));
      // A failure to record it must not hide the 429 itself from the caller.
      await options.circuit.trip(provider, err).catch(() => {});
    }
    return response;
  };
}
