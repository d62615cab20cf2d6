// Pure classification cases that are awkward to produce through the SDK and a server.
import { ApiError } from "@google/genai";
import { describe, expect, it } from "vitest";
import { AiError } from "./errors";
import { classifyGeminiError, MalformedReplyError, msUntilPacificMidnight } from "./gemini-errors";

function apiError(status: number, error: Record<string, unknown>): ApiError {
  // The SDK puts the JSON-stringified response body in the message.
  return new ApiError({ status, message: JSON.stringify({ error: { code: status, ...error } }) });
}

const retryInfo = (retryDelay: string) => ({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay });

describe("classifyGeminiError", () => {
  it("reads fractional RetryInfo delays and defaults to 30 s without one", () => {
    expect(classifyGeminiError(apiError(429, { details: [retryInfo("1.5s")] })).retryAfterMs).toBe(1500);
    expect(classifyGeminiError(apiError(429, { details: [retryInfo("0.250s")] })).retryAfterMs).toBe(250);
    const plain = classifyGeminiError(apiError(429, { message: "Resource has been exhausted (e.g. check quota)." }));
    expect(plain.kind).toBe("rate_limited");
    expect(plain.retryAfterMs).toBe(30_000);
  });

  it("keeps a per-minute 429 as rate_limited even though it mentions quota", () => {
    const err = classifyGeminiError(
      apiError(429, {
        message: "You exceeded your current quota.\n* Quota exceeded for metric: generate_content_free_tier_requests, limit: 10",
        details: [
          {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            violations: [{ quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" }],
          },
          retryInfo("7s"),
        ],
      }),
    );
    expect(err.kind).toBe("rate_limited");
    expect(err.retryAfterMs).toBe(7000);
  });

  it("treats daily wording and a zero limit as quota_exhausted, hinting at the Pacific-midnight reset", () => {
    const now = Date.UTC(2025, 0, 15, 20, 0, 0); // 12:00 in Los Angeles (PST)
    const daily = classifyGeminiError(apiError(429, { message: "Daily limit exceeded." }), { now });
    expect(daily.kind).toBe("quota_exhausted");
    expect(daily.retryAfterMs).toBe(12 * 60 * 60 * 1000);

    const zero = classifyGeminiError(apiError(429, { message: "Quota exceeded for metric: x, limit: 0, model: gemini-2.5-pro" }));
    expect(zero.kind).toBe("quota_exhausted");
  });

  it("maps 5xx and 408 to transient and other 4xx to permanent", () => {
    expect(classifyGeminiError(apiError(503, { message: "The model is overloaded." })).kind).toBe("transient");
    expect(classifyGeminiError(apiError(408, {})).kind).toBe("transient");
    expect(classifyGeminiError(apiError(403, { message: "Permission denied" })).message).toMatch(/^Gemini rejected the API key/);
    const bad = classifyGeminiError(apiError(400, { message: "Request payload size exceeds the limit" }));
    expect(bad.kind).toBe("permanent");
    expect(bad.message).toBe("Gemini rejected the request (HTTP 400): Request payload size exceeds the limit");
  });

  it("handles error bodies that were not JSON", () => {
    const err = classifyGeminiError(new ApiError({ status: 502, message: "<html>Bad Gateway</html>" }));
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/HTTP 502/);
  });

  it("maps network failures, timeouts and bad JSON to transient", () => {
    const refused = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    expect(classifyGeminiError(refused)).toMatchObject({ kind: "transient", message: "Could not reach Gemini (ECONNREFUSED)" });

    const abort = new DOMException("This operation was aborted", "AbortError");
    expect(classifyGeminiError(abort, { timeoutMs: 30_000 })).toMatchObject({
      kind: "transient",
      message: "Gemini did not answer within 30000 ms",
    });

    expect(classifyGeminiError(new SyntaxError("Unexpected token <")).message).toBe("Gemini returned a malformed reply");
    expect(classifyGeminiError(new MalformedReplyError("tags: too small")).message).toBe("Gemini returned a malformed reply");
  });

  it("passes AiErrors through and redacts the key from unknown errors", () => {
    const original = new AiError("permanent", "nope");
    expect(classifyGeminiError(original)).toBe(original);

    const err = classifyGeminiError(new Error("boom with key sekrit-key in it"), { apiKey: "sekrit-key" });
    expect(err.kind).toBe("transient");
    expect(err.message).toBe("Gemini call failed: boom with key [redacted] in it");
    expect(String((err.cause as Error).message)).not.toContain("sekrit-key");
  });
});

describe("msUntilPacificMidnight", () => {
  it("counts to the next midnight in Los Angeles, in summer time too", () => {
    expect(msUntilPacificMidnight(Date.UTC(2025, 6, 1, 6, 59, 59))).toBe(1000); // 23:59:59 PDT
    expect(msUntilPacificMidnight(Date.UTC(2025, 6, 1, 7, 0, 0))).toBe(24 * 60 * 60 * 1000);
  });
});
