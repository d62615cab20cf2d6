import { describe, expect, it } from "vitest";
import { AiError } from "@/lib/ai/errors";
import { ConflictError, RateLimitedError, RejectedInputError, UnavailableError } from "@/lib/errors";
import { StorageNotFoundError } from "@/lib/storage/types";
import { classifyFailure, GENERIC_FAILURE, STORAGE_UNAVAILABLE_WAIT, UNAVAILABLE_MESSAGE } from "./failures";
import { STEP_WORDING } from "./processors/workflow-step";
import { FfmpegError } from "@/lib/ffmpeg/run";

describe("classifyFailure", () => {
  it("fails a bad file at once with the file's own message", () => {
    const err = new RejectedInputError("damaged", "The image data is damaged or incomplete, so it can't be decoded.");
    expect(classifyFailure(err)).toEqual({ kind: "permanent", message: err.message });
  });

  it("fails at once when the original is missing from storage", () => {
    expect(classifyFailure(new StorageNotFoundError("originals/x"))).toMatchObject({
      kind: "permanent",
      message: expect.stringContaining("missing from storage"),
    });
  });

  it("waits out a provider rate limit for the delay it asked for", () => {
    expect(classifyFailure(new AiError("rate_limited", "slow down", 7_000))).toMatchObject({ kind: "rate_limited", retryAfterMs: 7_000 });
    expect(classifyFailure(new AiError("rate_limited", "slow down"))).toMatchObject({ retryAfterMs: 30_000 });
  });

  it("retries provider hiccups and gives up on refusals and exhausted quotas", () => {
    expect(classifyFailure(new AiError("transient", "HTTP 503")).kind).toBe("transient");
    expect(classifyFailure(new AiError("permanent", "Gemini rejected the API key")).message).toContain("rejected the API key");
    expect(classifyFailure(new AiError("quota_exhausted", "daily"))).toMatchObject({ kind: "permanent", message: expect.stringContaining("quota") });
  });

  it("retries anything unknown, without showing its internals to the user", () => {
    const failure = classifyFailure(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
    expect(failure).toEqual({ kind: "transient", message: GENERIC_FAILURE });
  });

  it("waits out a database outage instead of failing the photo", () => {
    const err = Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: "P1001" });
    expect(classifyFailure(err)).toEqual({ kind: "unavailable", message: UNAVAILABLE_MESSAGE, dependency: "database" });
  });

  it("waits out a storage outage too, whichever pipeline meets it", () => {
    const down = new UnavailableError("storage", "File storage is unavailable right now.", 5, { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4568"), { code: "ECONNREFUSED" }) });
    expect(classifyFailure(down)).toEqual({ kind: "unavailable", message: STORAGE_UNAVAILABLE_WAIT, dependency: "storage" });
    expect(classifyFailure(down, STEP_WORDING)).toMatchObject({ kind: "unavailable", dependency: "storage" });
  });

  it("takes the kind and the sentence of our own errors, whichever pipeline meets them", () => {
    const conflict = new ConflictError("photo_deleted", "A photo in the storyboard was deleted: remove it from the storyboard and render again.");
    expect(classifyFailure(conflict, STEP_WORDING)).toEqual({ kind: "permanent", message: conflict.message });
    expect(classifyFailure(new FfmpegError("The renderer was stopped (SIGKILL).", "transient"), STEP_WORDING)).toEqual({
      kind: "transient",
      message: "The renderer was stopped (SIGKILL).",
    });
    expect(classifyFailure(new RateLimitedError("Slow down.", 4_000))).toEqual({ kind: "rate_limited", message: "Slow down.", retryAfterMs: 4_000 });
    expect(classifyFailure(new UnavailableError("storage", "Storage is down.")).kind).toBe("unavailable");
  });

  it("words a workflow step's failures for the Resume button", () => {
    expect(classifyFailure(new Error("boom"), STEP_WORDING)).toEqual({ kind: "transient", message: "Something went wrong in this step. Press Resume to try it again." });
    expect(classifyFailure(new StorageNotFoundError("videos/x"), STEP_WORDING).message).toBe("A file this step needs is missing from storage.");
    expect(classifyFailure(new AiError("quota_exhausted", "daily"), STEP_WORDING).message).toBe("The AI service's daily quota is used up. Press Resume tomorrow.");
    expect(classifyFailure(new AiError("permanent", "bad prompt"), STEP_WORDING).message).toBe("The AI service refused: bad prompt");
    expect(classifyFailure(new AiError("permanent", "bad prompt")).message).toBe("The caption service refused this photo: bad prompt");
  });
});
