// Animates one photo into a short clip with Veo through the official SDK: start a
// long-running operation (models.generateVideos), poll it (operations.getVideosOperation)
// with a growing wait until it is done, then download the clip (files.download). The
// operation's name is handed back before polling, so a retried job can resume polling the
// same operation instead of paying for a second one.
import { GenerateVideosOperation, GoogleGenAI, type GeneratedVideo } from "@google/genai";
import { AiError } from "./errors";
import { classifyGeminiError } from "./gemini-errors";
import type { Fetch } from "./provider-gate";
import { sleep } from "./sleep";

export interface VeoConfig {
  apiKey: string;
  model: string;
  baseUrl?: string;
  /** Per HTTP request. */
  timeoutMs: number;
  /** First wait between polls; doubles each time up to pollMaxMs. */
  pollMs: number;
  pollMaxMs: number;
  /** Give up on an operation after this long. */
  totalTimeoutMs: number;
  /** Sends every request; the worker's honours Gemini's 429 delays across processes (provider-gate.ts). */
  fetch?: Fetch;
}

export interface ClipRequest {
  /** JPEG bytes of the photo to animate (the clip's first frame). */
  image: Buffer;
  prompt: string;
  durationSeconds: number;
  aspectRatio: "16:9" | "9:16";
}

export interface VeoClient {
  readonly name: string;
  start(request: ClipRequest, signal?: AbortSignal): Promise<string>;
  /** Waits until the operation is done; calls onPoll after each check that was not. */
  waitFor(operationName: string, opts?: { signal?: AbortSignal; onPoll?: (polls: number) => void }): Promise<GeneratedVideo>;
  download(video: GeneratedVideo, path: string, signal?: AbortSignal): Promise<void>;
}

export function createVeoClient(config: VeoConfig): VeoClient {
  const ai = new GoogleGenAI({
    apiKey: config.apiKey,
    vertexai: false,
    // BullMQ owns retries; see lib/ai/gemini-text.ts.
    httpOptions: { baseUrl: config.baseUrl, timeout: config.timeoutMs, retryOptions: { attempts: 1 }, ...(config.fetch ? { fetch: config.fetch } : {}) },
  });
  const classify = (err: unknown, signal?: AbortSignal) => {
    if (signal?.aborted) return new AiError("transient", "Veo request was cancelled", undefined, { cause: err });
    const e = classifyGeminiError(err, { apiKey: config.apiKey, timeoutMs: config.timeoutMs });
    // classifyGeminiError words its messages for Gemini; this is Veo.
    e.message = e.message.replace(/^Gemini/, "Veo");
    return e;
  };

  return {
    name: `veo:${config.model}`,

    async start(request, signal) {
      try {
        const operation = await ai.models.generateVideos({
          model: config.model,
          source: { prompt: request.prompt, image: { imageBytes: request.image.toString("base64"), mimeType: "image/jpeg" } },
          config: {
            numberOfVideos: 1,
            durationSeconds: request.durationSeconds,
            aspectRatio: request.aspectRatio,
            abortSignal: signal,
          },
        });
        if (!operation.name) throw new AiError("transient", "Veo did not return an operation name");
        return operation.name;
      } catch (err) {
        throw classify(err, signal);
      }
    },

    async waitFor(operationName, opts = {}) {
      const operation = new GenerateVideosOperation();
      operation.name = operationName;
      const deadline = Date.now() + config.totalTimeoutMs;
      let wait = config.pollMs;
      for (let polls = 0; ; polls++) {
        let current: GenerateVideosOperation;
        try {
          current = await ai.operations.getVideosOperation({ operation, config: { abortSignal: opts.signal } });
        } catch (err) {
          throw classify(err, opts.signal);
        }
        if (current.done) {
          if (current.error) {
            const message = String(current.error.message ?? "unknown error");
            // google.rpc.Code 3 (INVALID_ARGUMENT) and 9 (FAILED_PRECONDITION) will fail again.
            const permanent = current.error.code === 3 || current.error.code === 9;
            throw new AiError(permanent ? "permanent" : "transient", `Veo could not make the clip: ${message}`);
          }
          const video = current.response?.generatedVideos?.[0];
          if (!video?.video) {
            const reasons = current.response?.raiMediaFilteredReasons?.join("; ");
            throw new AiError("permanent", `Veo declined to animate this photo${reasons ? `: ${reasons}` : ""}`);
          }
          return video;
        }
        opts.onPoll?.(polls + 1);
        if (Date.now() + wait > deadline) throw new AiError("transient", `Veo did not finish within ${Math.round(config.totalTimeoutMs / 1000)} s`);
        await sleep(wait, opts.signal);
        wait = Math.min(wait * 2, config.pollMaxMs);
      }
    },

    async download(video, path, signal) {
      try {
        await ai.files.download({ file: video, downloadPath: path, config: { abortSignal: signal } });
      } catch (err) {
        throw classify(err, signal);
      }
    },
  };
}
