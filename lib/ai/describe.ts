// Photo captions and tags through the fallback chain (lib/ai/chain.ts), the same providers,
// circuits and cross-process cap as the AI jobs: the downscaled JPEG goes with a short
// prompt to the first provider in AI_PROVIDERS that can answer, held to a JSON schema so
// the reply can be checked instead of scraped out of prose; where "local" stands, the local
// describer (colours, EXIF, the local vision model) answers.
//
// One rule is the photo's own: a caption is kept for good, so a photo whose remote
// providers are only out for a while (rate limited, down, resting after either) waits for
// them (see waitFor) rather than settle for the local caption. Providers that
// rejected this photo (a refusal, a bad request or key) or whose quota is used up are passed
// over, to the local describer when it is in the list.
import { z } from "zod";
import { exhausted, type AiChain, type Skip } from "./chain";
import { AiError, MalformedReplyError } from "./errors";
import type { JsonSchema } from "./generate";
import { clipCaption, MAX_TAGS, normaliseTags } from "./normalise";
import type { AiProvider, Description, DescribeInput } from "./types";

export const DESCRIBE_PROMPT = [
  "Describe this photo for a personal photo library.",
  "caption: one plain sentence (at most 200 characters) saying what is visible; do not guess names of people or places.",
  `tags: 3 to ${MAX_TAGS} short lowercase keywords for search (subjects, setting, activity, mood).`,
].join("\n");

/** In the JSON Schema subset every provider takes (generate.ts); limits are applied to the reply instead. */
export const DESCRIPTION_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    caption: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
  },
  required: ["caption", "tags"],
};

// Over-long captions and too many tags are trimmed rather than rejected: the reply is
// still useful and a retry would cost another paid call. Empty ones are rejected.
const replySchema = z.object({
  caption: z.string().transform(clipCaption).pipe(z.string().min(1)),
  tags: z.array(z.string()).transform(normaliseTags).pipe(z.array(z.string()).min(1)),
});

export interface PhotoDescriberOptions {
  chain: AiChain;
  /** Answers where "local" stands in AI_PROVIDERS. */
  local: AiProvider;
  /** AI_TIMEOUT_MS: one caption request's timeout. */
  timeoutMs: number;
  /**
   * Told when the local describer answered after remote providers rejected the photo (a
   * refusal, a bad key, a used-up quota): the caption says only "local", so the worker logs why.
   */
  onPassedOver?: (skipped: Skip[]) => void;
}

export function createPhotoDescriber(options: PhotoDescriberOptions): AiProvider {
  const { chain, local } = options;
  // A chain of only "local" (no provider configured) is the local describer itself.
  if (chain.order.every((p) => p === "local") && chain.order.length > 0) return local;
  // Named by the chain's order in the worker's start-up line ("gemini,local"); "none" when
  // AI_PROVIDERS names nothing configured (every photo then fails saying what to set).
  const name = chain.order.join(",") || "none";

  async function describe(input: DescribeInput, signal?: AbortSignal): Promise<Description> {
    let localAnswer: Description | undefined;
    const result = await chain.generate(
      { prompt: DESCRIBE_PROMPT, json: DESCRIPTION_SCHEMA, images: [{ mimeType: input.mime, data: input.image }], timeoutMs: options.timeoutMs, signal },
      {
        local: async (_request, skipped) => {
          if (skipped.some(passing)) throw waitFor(skipped);
          const rejected = skipped.filter((s) => s.kind !== "not_available");
          if (rejected.length) options.onPassedOver?.(rejected);
          localAnswer = await local.describe(input, signal);
          return JSON.stringify(localAnswer);
        },
      },
    );
    if (result.provider === "local") return localAnswer!;
    return { ...parseReply(result.text, result.provider), provider: `${result.provider}:${result.model}` };
  }

  // Remote first: a photo the local describer answers (its providers rejected it) is the exception.
  return { name, remote: true, describe };
}

/** A failure that clears by itself: worth waiting for rather than a local caption kept for good. */
function passing(skip: Skip): boolean {
  const kind = skip.kind === "circuit_open" ? (skip.openedBy ?? "transient") : skip.kind;
  return kind === "rate_limited" || kind === "transient";
}

/**
 * Why the photo waits. When every provider it waits for was resting already (an open
 * circuit: nothing was sent), it waits out the soonest rest without spending one of the
 * job's attempts, or a provider resting for a minute would use them all up in seconds;
 * a failure met by this call is the chain's error, as for any job.
 */
function waitFor(skipped: Skip[]): AiError {
  const waiting = skipped.filter(passing);
  if (!waiting.every((s) => s.kind === "circuit_open")) return exhausted(skipped);
  const soonest = Math.min(...waiting.map((s) => s.retryAfterMs ?? 30_000));
  const who = waiting.map((s) => `${s.provider}: ${s.reason}`).join(" ");
  return new AiError("rate_limited", waiting.length === 1 ? waiting[0].reason : `Every caption provider is resting. ${who}`, soonest);
}

function parseReply(text: string, provider: string): { caption: string; tags: string[] } {
  const label = provider.charAt(0).toUpperCase() + provider.slice(1);
  const malformed = (detail: string, cause?: unknown) =>
    new AiError("transient", `${label} returned a malformed reply`, undefined, { cause: new MalformedReplyError(detail, { provider: label, cause }) });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw malformed("reply is not JSON", err);
  }
  const parsed = replySchema.safeParse(json);
  if (!parsed.success) throw malformed(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return parsed.data;
}
