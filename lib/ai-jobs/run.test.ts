import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError } from "@/lib/errors";
import { BIKE_SHARE, LIBRARY_JA } from "@/test/fixtures/articles";
import { extractArticle } from "./extract";
import { podcastSource, runners, runSummarize } from "./run";
import { parsePayload } from "./types";

const ARTICLE_ID = "3f2c1a9e-1b2c-4d5e-8f90-1234567890ab";
let server: http.Server;
let base: string;

beforeAll(async () => {
  const page = `<html lang="en"><head><title>Bike-share</title></head><body><article>${BIKE_SHARE.split("\n\n")
    .map((p) => `<p>${p}</p>`)
    .join("")}</article></body></html>`;
  server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(page));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("running jobs from their payloads", () => {
  it("summarises the seed's request: a stored article by id, with user_preferences", async () => {
    const payload = parsePayload("summarize", { article_id: ARTICLE_ID, user_preferences: { length: "short", language: "ja" } });
    const stored = extractArticle(`<html lang="ja"><body><h1>図書館</h1>${LIBRARY_JA.split("\n\n").map((p) => `<p>${p}</p>`).join("")}</body></html>`);
    const out = await runSummarize(payload, { loadArticle: async (id) => (id === ARTICLE_ID ? stored : null) });
    expect(out.result.summary).toContain("午後九時まで延長");
    expect(out.result.language).toBe("ja");
  });

  it("summarises a web page fetched through the safe fetcher", async () => {
    const out = await runSummarize(parsePayload("summarize", { url: `${base}/bike`, length: "short" }), { fetch: { allowPrivateHosts: true } });
    expect(out.result.summary).toMatch(/^Riverton's bike-share scheme/);
  });

  it("says when the article is not there", async () => {
    const payload = parsePayload("summarize", { article_id: ARTICLE_ID });
    await expect(runSummarize(payload, { loadArticle: async () => null })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("runs each local type through one table", async () => {
    const sim = await runners.calculate_similarity(parsePayload("calculate_similarity", { a: BIKE_SHARE, b: BIKE_SHARE }));
    expect(sim.result).toEqual({ score: 1, method: "tfidf" });
    const check = await runners.validate_summary(parsePayload("validate_summary", { text: BIKE_SHARE, summary: "The scheme still loses money." }));
    expect(check.result.faithful).toBe(true);
    const ext = await runners.extract_content(parsePayload("extract_content", { url: `${base}/bike` }), { fetch: { allowPrivateHosts: true } });
    expect(ext.result.title).toBe("Bike-share");
  });

  it("gives the podcast pipeline the text and title of a page", async () => {
    const src = await podcastSource(parsePayload("generate_podcast", { url: `${base}/bike` }), { fetch: { allowPrivateHosts: true } });
    expect(src.title).toBe("Bike-share");
    expect(src.text.startsWith("Riverton's bike-share scheme")).toBe(true);
  });
});
