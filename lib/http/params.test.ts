// A list's paging parameters, read the same way by every list route.
import { describe, expect, it } from "vitest";
import { HttpError } from "./errors";
import { beforeParam, limitParam } from "./params";

const url = (query: string) => new URL(`http://x/api/v1/media${query}`);

describe("limitParam", () => {
  it("takes the fallback when missing or not a number, and clamps to 1–200", () => {
    expect(limitParam(url(""), 60)).toBe(60);
    expect(limitParam(url("?limit=abc"), 50)).toBe(50);
    expect(limitParam(url("?limit=0"), 50)).toBe(50);
    expect(limitParam(url("?limit=-3"), 50)).toBe(1);
    expect(limitParam(url("?limit=12"), 50)).toBe(12);
    expect(limitParam(url("?limit=5000"), 50)).toBe(200);
  });
});

describe("beforeParam", () => {
  it("is undefined when absent, the date when given, and a 400 that says so when not a date", () => {
    expect(beforeParam(url(""))).toBeUndefined();
    expect(beforeParam(url("?before=2026-12-01T10:00:00.000Z"))?.toISOString()).toBe("2026-12-01T10:00:00.000Z");
    let refusal: unknown;
    try {
      beforeParam(url("?before=yesterday"));
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(HttpError);
    expect(refusal).toMatchObject({ status: 400, message: "before must be an ISO date." });
  });
});
