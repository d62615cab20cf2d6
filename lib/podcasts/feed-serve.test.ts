import { describe, expect, it } from "vitest";
import { acceptsGzip, gzippedBody, notModified, type ServedFeed } from "./feed-serve";
import { gunzipSync } from "node:zlib";

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

describe("gzip for podcast apps", () => {
  it("is chosen when Accept-Encoding takes it, not when its q is 0", () => {
    expect(acceptsGzip(req({ "accept-encoding": "gzip" }))).toBe(true);
    expect(acceptsGzip(req({ "accept-encoding": "br, GZIP;q=0.5" }))).toBe(true);
    expect(acceptsGzip(req({ "accept-encoding": "x-gzip" }))).toBe(true);
    expect(acceptsGzip(req({ "accept-encoding": "gzip;q=0" }))).toBe(false);
    expect(acceptsGzip(req({ "accept-encoding": "gzip; q=0.0, identity" }))).toBe(false);
    expect(acceptsGzip(req({ "accept-encoding": "br, deflate" }))).toBe(false);
    expect(acceptsGzip(req({ "accept-encoding": "gzipped" }))).toBe(false);
    expect(acceptsGzip(req({}))).toBe(false);
  });

  it("is compressed once per version, and the copy holds the same XML", async () => {
    const served: ServedFeed = { ...feed, version: 7, body: Buffer.from("<rss>".padEnd(10_000, "x") + "</rss>") };
    const [a, b] = await Promise.all([gzippedBody(served), gzippedBody(served)]);
    expect(a).toBe(b);
    expect(a.length).toBeLessThan(served.body.length / 10);
    expect(gunzipSync(a).equals(served.body)).toBe(true);
  });
});
