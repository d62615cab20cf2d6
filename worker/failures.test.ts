import { describe, expect, it } from "vitest";
import { AiError } from "@/lib/ai/errors";
import { MediaRejectedError } from "@/lib/media/errors";
import { StorageNotFoundError } from "@/lib/storage/types";
import { classifyFailure, GENERIC_FAILURE, UNAVAILABLE_MESSAGE } from "./failures";

describe("classifyFailure", () => {
  it("fails a bad file at once with the file's own message", () => {
    const err = new MediaRejectedError("damaged", "The image data is damaged or incomplete, so it can't be decoded.");
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
    expect(classifyFailure(err)).toEqual({ kind: "unavailable", message: UNAVAILABLE_MESSAGE });
  });
});
