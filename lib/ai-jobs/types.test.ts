import { describe, expect, it } from "vitest";
import { InvalidInputError } from "@/lib/errors";
import {
  aiJobTypes,
  AI_JOB_TYPES,
  batchChildPriority,
  fromBullPriority,
  parseJobRequest,
  parsePayload,
  priorityLevel,
  resolvePriority,
  toBullPriority,
} from "./types";

const ID = "3f2c1a9e-1b2c-4d5e-8f90-1234567890ab";

/** The fields an InvalidInputError names, or fails the test when something else is thrown. */
function fieldsOf(fn: () => unknown): Record<string, string> {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return (err as InvalidInputError).fields;
  }
  throw new Error("expected an InvalidInputError");
}

describe("summarize payload", () => {
  it("accepts the seed's own request shape and flattens user_preferences", () => {
    const req = parseJobRequest(
      { type: "summarize", payload: { article_id: ID, user_preferences: { length: "medium", language: "ja" } }, priority: 7 },
      { isAdmin: false },
    );
    expect(req).toEqual({ type: "summarize", payload: { article_id: ID, length: "medium", language: "ja" }, priority: 7, webhookUrl: null });
  });

  it("defaults the length to medium and keeps a text source", () => {
    expect(parsePayload("summarize", { text: "  Some text.  " })).toEqual({ text: "Some text.", length: "medium" });
  });

  it("names the field that is wrong", () => {
    expect(fieldsOf(() => parsePayload("summarize", { text: "x", length: "tiny" }))).toEqual({
      "payload.length": "Choose short, medium or long.",
    });
    expect(fieldsOf(() => parsePayload("summarize", { url: "ftp://example.com/a" }))["payload.url"]).toMatch(/http/);
    expect(fieldsOf(() => parsePayload("summarize", { article_id: "42" }))["payload.article_id"]).toMatch(/id such as/);
    expect(fieldsOf(() => parsePayload("summarize", { text: "x", user_preferences: { language: "日本語" } }))).toHaveProperty(
      "payload.user_preferences.language",
    );
    expect(fieldsOf(() => parsePayload("summarize", { text: "x", lenght: "short" }))).toEqual({
      "payload.lenght": "This field is not recognised.",
    });
  });

  it("wants exactly one source", () => {
    expect(fieldsOf(() => parsePayload("summarize", { length: "short" }))["payload.text"]).toBe("Give one of text, url or article_id.");
    expect(fieldsOf(() => parsePayload("summarize", { text: "x", url: "https://example.com" }))["payload.url"]).toMatch(/only one/);
  });

  it("refuses two different lengths", () => {
    const fields = fieldsOf(() => parsePayload("summarize", { text: "x", length: "short", user_preferences: { length: "long" } }));
    expect(fields["payload.user_preferences.length"]).toMatch(/disagree/);
  });
});

describe("other payloads", () => {
  it("extract_content takes a url or html, not both", () => {
    expect(parsePayload("extract_content", { url: "https://example.com/a" })).toEqual({ url: "https://example.com/a" });
    expect(fieldsOf(() => parsePayload("extract_content", { url: "https://e.com", html: "<p>x</p>" }))).toHaveProperty("payload.html");
  });

  it("validate_summary needs both texts", () => {
    expect(fieldsOf(() => parsePayload("validate_summary", { text: "abc" }))).toHaveProperty("payload.summary");
    expect(fieldsOf(() => parsePayload("validate_summary", { text: "  ", summary: "s" }))["payload.text"]).toBe("The text is empty.");
  });

  it("calculate_similarity has three forms and says which is incomplete", () => {
    expect(parsePayload("calculate_similarity", { a: "x", b: "y" })).toEqual({ a: "x", b: "y" });
    expect(parsePayload("calculate_similarity", { items: ["x", "y", "z"] })).toEqual({ items: ["x", "y", "z"] });
    expect(parsePayload("calculate_similarity", { mediaIds: [ID, ID] })).toEqual({ mediaIds: [ID, ID] });
    expect(fieldsOf(() => parsePayload("calculate_similarity", { a: "x" }))["payload.b"]).toBe("Give both texts, a and b.");
    expect(fieldsOf(() => parsePayload("calculate_similarity", { items: ["x"] }))["payload.items"]).toMatch(/at least 2/);
    expect(fieldsOf(() => parsePayload("calculate_similarity", { mediaIds: [ID, "nope"] }))).toHaveProperty("payload.mediaIds.1");
    expect(fieldsOf(() => parsePayload("calculate_similarity", { a: "x", b: "y", items: ["p", "q"] }))["payload.items"]).toMatch(/only one/);
  });

  it("generate_podcast takes text or url with optional show and voice", () => {
    expect(parsePayload("generate_podcast", { text: "Hello.", showId: ID, voice: "en-us" })).toEqual({ text: "Hello.", showId: ID, voice: "en-us" });
    expect(fieldsOf(() => parsePayload("generate_podcast", { text: "Hello.", voice: "<script>" }))).toHaveProperty("payload.voice");
  });

  it("batch_process validates each child by its type and refuses nesting", () => {
    const ok = parsePayload("batch_process", {
      jobs: [
        { type: "summarize", payload: { text: "A text.", user_preferences: { length: "short" } } },
        { type: "calculate_similarity", payload: { a: "x", b: "y" } },
      ],
    });
    expect(ok.jobs[0]).toEqual({ type: "summarize", payload: { text: "A text.", length: "short" } });

    const fields = fieldsOf(() =>
      parsePayload("batch_process", {
        jobs: [
          { type: "summarize", payload: { text: "fine" } },
          { type: "batch_process", payload: { jobs: [] } },
          { type: "summarize", payload: { text: "x", length: "huge" } },
          { type: "translate", payload: {} },
        ],
      }),
    );
    expect(fields).toEqual({
      "payload.jobs.1.type": "A batch cannot contain another batch.",
      "payload.jobs.2.payload.length": "Choose short, medium or long.",
      "payload.jobs.3.type": expect.stringMatching(/Unknown job type "translate"/),
    });
  });

  it("caps a batch at 100 jobs", () => {
    const jobs = Array.from({ length: 101 }, () => ({ type: "summarize", payload: { text: "x" } }));
    expect(fieldsOf(() => parsePayload("batch_process", { jobs }))["payload.jobs"]).toMatch(/at most 100/);
    expect(parsePayload("batch_process", { jobs: jobs.slice(0, 100) }).jobs).toHaveLength(100);
  });

  it("every normalised payload validates again unchanged (stored, then re-checked by the worker)", () => {
    const samples: Record<string, unknown> = {
      summarize: { article_id: ID, user_preferences: { length: "long", language: "ja" } },
      extract_content: { html: "<p>Hi</p>" },
      validate_summary: { text: "t", summary: "s" },
      calculate_similarity: { items: ["a", "b"] },
      generate_podcast: { url: "https://example.com/a", voice: "en-us" },
      batch_process: { jobs: [{ type: "summarize", payload: { text: "x", user_preferences: { length: "short" } } }] },
    };
    for (const type of AI_JOB_TYPES) {
      const once = parsePayload(type, samples[type]);
      expect(parsePayload(type, once)).toEqual(once);
    }
  });
});

describe("priorities", () => {
  it("defaults follow the seed's calculateJobPriority", () => {
    const defaults = Object.fromEntries(AI_JOB_TYPES.map((t) => [t, resolvePriority({ type: t, isAdmin: false })]));
    expect(defaults).toEqual({
      summarize: 7,
      generate_podcast: 5,
      calculate_similarity: 3,
      extract_content: 5,
      validate_summary: 5,
      batch_process: 5,
    });
    expect(priorityLevel(aiJobTypes.summarize.defaultPriority)).toBe("high");
    expect([1, 3, 4, 6, 7, 9, 10].map(priorityLevel)).toEqual(["low", "low", "normal", "normal", "high", "high", "critical"]);
  });

  it("a caller may lower its priority but not raise it; only admins set CRITICAL", () => {
    expect(resolvePriority({ type: "summarize", requested: 2, isAdmin: false })).toBe(2);
    expect(fieldsOf(() => resolvePriority({ type: "summarize", requested: 10, isAdmin: false }))).toEqual({
      priority: "Only administrators may set priority 10 (critical).",
    });
    expect(fieldsOf(() => resolvePriority({ type: "calculate_similarity", requested: 8, isAdmin: false })).priority).toMatch(
      /lower it \(1–3\)/,
    );
    expect(resolvePriority({ type: "calculate_similarity", requested: 10, isAdmin: true })).toBe(10);
    expect(fieldsOf(() => parseJobRequest({ type: "summarize", payload: { text: "x" }, priority: 0 }, { isAdmin: true }))).toHaveProperty(
      "priority",
    );
    expect(fieldsOf(() => parseJobRequest({ type: "summarize", payload: { text: "x" }, priority: 7.5 }, { isAdmin: true }))).toHaveProperty(
      "priority",
    );
  });

  it("batch children run at LOW unless an admin chose the batch's priority", () => {
    expect(batchChildPriority({ batchPriority: 5, explicit: false, isAdmin: false })).toBe(3);
    expect(batchChildPriority({ batchPriority: 5, explicit: true, isAdmin: false })).toBe(3);
    expect(batchChildPriority({ batchPriority: 2, explicit: true, isAdmin: false })).toBe(2);
    expect(batchChildPriority({ batchPriority: 10, explicit: true, isAdmin: true })).toBe(10);
  });

  it("maps onto BullMQ's inverted scale, never below 1", () => {
    expect(toBullPriority(10)).toBe(1);
    expect(toBullPriority(7)).toBe(4);
    expect(toBullPriority(1)).toBe(10);
    for (let p = 1; p <= 10; p++) {
      expect(toBullPriority(p)).toBeGreaterThanOrEqual(1);
      expect(fromBullPriority(toBullPriority(p))).toBe(p);
      if (p > 1) expect(toBullPriority(p)).toBeLessThan(toBullPriority(p - 1)); // higher runs first
    }
  });
});

describe("job requests", () => {
  it("names an unknown type and a bad webhook", () => {
    const fields = fieldsOf(() => parseJobRequest({ type: "translate", payload: {}, webhookUrl: "javascript:alert(1)" }, { isAdmin: false }));
    expect(Object.keys(fields).sort()).toEqual(["type", "webhookUrl"]);
  });
});
