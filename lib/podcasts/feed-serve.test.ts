import { describe, expect, it } from "vitest";
import { notModified } from "./feed-serve";

const feed = { etag: '"7-abc"', lastModified: new Date("2026-03-01T12:00:00.900Z") };
const req = (headers: Record<string, string>) => new Request("http://x/feeds/t", { headers });

describe("conditional feed requests", () => {
  it("match the ETag, weak or strong, among several", () => {
    expect(notModified(req({ "if-none-match": '"7-abc"' }), feed)).toBe(true);
    expect(notModified(req({ "if-none-match": 'W/"7-abc"' }), feed)).toBe(true);
    expect(notModified(req({ "if-none-match": '"6-zzz", "7-abc"' }), feed)).toBe(true);
    expect(notModified(req({ "if-none-match": '"6-zzz"' }), feed)).toBe(false);
  });

  it("use If-Modified-Since (whole seconds) only without If-None-Match", () => {
    expect(notModified(req({ "if-modified-since": "Sun, 01 Mar 2026 12:00:00 GMT" }), feed)).toBe(true);
    expect(notModified(req({ "if-modified-since": "Sun, 01 Mar 2026 11:59:59 GMT" }), feed)).toBe(false);
    expect(notModified(req({ "if-modified-since": "Sun, 01 Mar 2026 12:00:00 GMT", "if-none-match": '"6-zzz"' }), feed)).toBe(false);
    expect(notModified(req({ "if-modified-since": "not a date" }), feed)).toBe(false);
    expect(notModified(req({}), feed)).toBe(false);
  });
});
