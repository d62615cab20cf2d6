// The fallback chain for text generation (and, from providers that offer them, text
// embeddings and speech): providers in the configured order, each behind a circuit
// (lib/ai/circuit.ts) and a cross-process concurrency cap (lib/ai/semaphore.ts).
// A provider that is down, rate limited or out of quota is skipped for this call and rests
// for a while, for every worker; the result says who answered and why the others did not.
//
// Permanent failures (the provider rejected this request: bad request, refused prompt, bad
// key) move on to the next provider too when fallback is enabled — another provider may
// well accept the request, and the skip list records the rejection so nothing is hidden —
// but they do not rest the provider, since the next request may be fine. With
// AI_FALLBACK_ENABLED=false only the first configured provider is tried and its error,
// whatever it is, is the caller's.
import type { Redis } from "ioredis";
import { createCircuit, type Circuit } from "./circuit";
import { AiError, type AiErrorKind } from "./errors";
import type { EmbedRequest, EmbedResult, GenerateRequest, GenerateResult, ProviderName, SpeakRequest, SpeakResult, TextProvider } from "./generate";
import { createSemaphore, type Semaphore } from "./semaphore";

/**
 * The caller's own answer without any network: the chain calls it where "local" stands,
 * with the providers skipped before it (a caller may rather wait for them: photo captions).
 */
export type LocalGenerate = (request: GenerateRequest, skipped: Skip[]) => Promise<string>;

export interface Skip {
  provider: ProviderName;
  /** What happened: the error kind, or "circuit_open" when it was resting already. */
  kind: AiErrorKind | "circuit_open" | "not_available";
  /** A sentence for the job's record. */
  reason: string;
  /** When the provider can be asked again (rate limits, open circuits). */
  retryAfterMs?: number;
  /** For "circuit_open": the kind of failure that opened it. */
  openedBy?: AiErrorKind;
}

export interface ChainResult extends GenerateResult {
  skipped: Skip[];
}

/** Every provider failed or was resting; `skipped` says why each. */
export class AiChainError extends AiError {
  constructor(
    kind: AiErrorKind,
    message: string,
    readonly skipped: Skip[],
    retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(kind, message, retryAfterMs, options);
    this.name = "AiChainError";
  }
}

/** The chain reached its "local" entry (or no configured provider can do this): the caller answers with its own local method. */
export interface LocalTurn {
  provider: "local";
  skipped: Skip[];
}

export interface AiChain {
  /** Configured providers in the order they are tried ("local" where it stands). */
  readonly order: readonly ProviderName[];
  generate(request: GenerateRequest, options?: { local?: LocalGenerate }): Promise<ChainResult>;
  /**
   * Text embeddings from the first provider in order that offers them and can answer;
   * a LocalTurn where "local" stands, or when no configured provider offers embeddings.
   */
  embed(request: EmbedRequest): Promise<(EmbedResult & { skipped: Skip[] }) | LocalTurn>;
  /** Speech, chosen like `embed`. */
  speak(request: SpeakRequest): Promise<(SpeakResult & { skipped: Skip[] }) | LocalTurn>;
}

export interface AiChainConfig {
  /** Configured providers in order; "local" marks where the caller's local answer goes. */
  providers: ReadonlyArray<TextProvider | "local">;
  redis: Redis;
  /** QUEUE_PREFIX. */
  prefix: string;
  fallbackEnabled: boolean;
  circuitOpenMs: number;
  maxConcurrent: number;
  /** Semaphore lease (a crashed holder's slot frees after this); default 15 s. */
  leaseMs?: number;
}

/** What the chain can ask of a provider, and how a provider without it is recorded. */
type Capability = "generate" | "embed" | "speak";
const NOT_OFFERED: Record<Exclude<Capability, "generate">, string> = {
  embed: "It offers no text embeddings here.",
  speak: "It offers no speech here.",
};

export function createAiChain(config: AiChainConfig): AiChain {
  const circuit = createCircuit({ redis: config.redis, prefix: config.prefix, openMs: config.circuitOpenMs });
  const semaphores = new Map<string, Semaphore>();
  const semaphore = (name: string) => {
    let s = semaphores.get(name);
    if (!s) {
      s = createSemaphore({ redis: config.redis, key: `${config.prefix}:ai:semaphore:${name}`, limit: config.maxConcurrent, leaseMs: config.leaseMs });
      semaphores.set(name, s);
    }
    return s;
  };
  const entries = config.fallbackEnabled ? config.providers : config.providers.slice(0, 1);
  const order = config.providers.map((p) => (p === "local" ? "local" : p.name));

  /**
   * Walks the entries for one capability: each provider that offers it is tried (circuit,
   * semaphore); "local" — or, for embed and speak, running out of providers that offer
   * them at all — is a LocalTurn. Throws AiChainError when providers that offer it all failed.
   */
  async function walk<T>(
    capability: Capability,
    signal: AbortSignal | undefined,
    call: (p: TextProvider) => Promise<T> | undefined,
    hasLocal = true,
  ): Promise<{ value: T; skipped: Skip[] } | LocalTurn> {
    const skipped: Skip[] = [];
    let offered = false;
    for (const entry of entries) {
      signal?.throwIfAborted();
      if (entry === "local") {
        if (hasLocal) return { provider: "local", skipped };
        skipped.push({ provider: "local", kind: "not_available", reason: "There is no local way to do this request." });
        continue;
      }
      if (capability !== "generate" && !entry[capability]) {
        skipped.push({ provider: entry.name, kind: "not_available", reason: NOT_OFFERED[capability] });
        continue;
      }
      offered = true;
      const value = await attempt(entry, signal, () => call(entry)!, skipped, circuit, semaphore(entry.name));
      if (value !== undefined) return { value, skipped };
    }
    if (capability !== "generate" && !offered) return { provider: "local", skipped };
    throw exhausted(skipped);
  }

  async function generate(request: GenerateRequest, options: { local?: LocalGenerate } = {}): Promise<ChainResult> {
    const local = options.local;
    const outcome = await walk("generate", request.signal, (p) => p.generate(request), local !== undefined);
    if ("value" in outcome) return { ...outcome.value, skipped: outcome.skipped };
    // The caller's own code: its errors are the caller's, not a provider failure.
    const text = await local!(request, outcome.skipped);
    return { text, provider: "local", model: "local", usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 }, skipped: outcome.skipped };
  }

  async function embed(request: EmbedRequest) {
    const outcome = await walk("embed", request.signal, (p) => p.embed?.(request));
    return "value" in outcome ? { ...outcome.value, skipped: outcome.skipped } : outcome;
  }

  async function speak(request: SpeakRequest) {
    const outcome = await walk("speak", request.signal, (p) => p.speak?.(request));
    return "value" in outcome ? { ...outcome.value, skipped: outcome.skipped } : outcome;
  }

  return { order, generate, embed, speak };
}

/** One provider call: the result, or undefined after recording why it was skipped. */
async function attempt<T>(
  provider: TextProvider,
  signal: AbortSignal | undefined,
  call: () => Promise<T>,
  skipped: Skip[],
  circuit: Circuit,
  semaphore: Semaphore,
): Promise<T | undefined> {
  const resting = async () => {
    const state = await circuit.state(provider.name);
    if (!state.open) return false;
    skipped.push({
      provider: provider.name,
      kind: "circuit_open",
      reason: `${state.reason ?? "It failed recently."} Resting for another ${seconds(state.remainingMs)}.`,
      retryAfterMs: state.remainingMs,
      openedBy: state.kind,
    });
    return true;
  };
  if (await resting()) return undefined;
  const release = await semaphore.acquire(signal);
  try {
    // Checked again: while this call waited for a slot, another process may have met a
    // 429; sending now would ignore the delay the provider asked for.
    if (await resting()) return undefined;
    return await call();
  } catch (err) {
    // The caller gave up (job cancelled, worker stopping): not the provider's fault, and
    // no reason to try another one.
    if (signal?.aborted) throw err;
    const e = err instanceof AiError ? err : new AiError("transient", `${provider.name} failed: ${(err as Error).message}`, undefined, { cause: err });
    const restMs = await circuit.trip(provider.name, e);
    skipped.push({
      provider: provider.name,
      kind: e.kind,
      reason: e.message,
      retryAfterMs: e.kind === "rate_limited" ? restMs || e.retryAfterMs : undefined,
    });
    return undefined;
  } finally {
    await release().catch(() => {});
  }
}

/**
 * The error when nobody answered. Only rate limits (the provider's own or a circuit a rate
 * limit opened): wait, without spending an attempt. Any outage: transient, so the job's
 * retries and backoff bound how long it keeps trying. Only quota or only rejections:
 * retrying soon cannot help.
 */
export function exhausted(skipped: Skip[]): AiChainError {
  const tried = skipped.filter((s) => s.kind !== "not_available");
  if (tried.length === 0) {
    return new AiChainError(
      "permanent",
      "No AI provider is configured: set GEMINI_API_KEY, OPENAI_API_KEY (or OPENAI_BASE_URL) or ANTHROPIC_API_KEY, or include local in AI_PROVIDERS.",
      skipped,
    );
  }
  const kinds = tried.map((s) => (s.kind === "circuit_open" ? circuitKind(s) : s.kind));
  const waits = tried.map((s) => s.retryAfterMs).filter((ms): ms is number => typeof ms === "number" && ms > 0);
  const soonest = waits.length ? Math.min(...waits) : undefined;
  const reasons = tried.map((s) => `${s.provider}: ${s.reason}`).join(" ");
  const message = tried.length === 1 ? tried[0].reason : `No AI provider could answer. ${reasons}`;
  if (kinds.every((k) => k === "rate_limited")) return new AiChainError("rate_limited", message, skipped, soonest);
  if (kinds.some((k) => k === "transient" || k === "rate_limited")) return new AiChainError("transient", message, skipped, soonest);
  if (kinds.some((k) => k === "quota_exhausted")) return new AiChainError("quota_exhausted", message, skipped, soonest);
  return new AiChainError("permanent", message, skipped);
}

function circuitKind(skip: Skip): AiErrorKind {
  return skip.openedBy ?? "transient";
}

function seconds(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s === 1 ? "1 second" : `${s} seconds`;
}
