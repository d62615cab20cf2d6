import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, RejectedInputError } from "@/lib/errors";
import { BIKE_SHARE, LIBRARY_JA } from "@/test/fixtures/articles";
import { countWords, extractArticle, extractContent } from "./extract";
import { summarizeLocally } from "./summarize";

const paras = (t: string) =>
  t
    .split("\n\n")
    .map((p) => `<p>${p}</p>`)
    .join("\n");

/** A news page as sites serve them: navigation, tracking script, sidebar and footer around the article. */
const NEWS_PAGE = `<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Bike-share beats forecast | Riverton Gazette</title>
<meta property="og:site_name" content="Riverton Gazette">
<meta name="description" content="The scheme made 412,000 trips in its first year.">
<script>var tracking = "SCRIPT-TEXT-MUST-NOT-APPEAR";</script><style>.ad { color: red }</style></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>Bike-share beats forecast in first year</h1><p class="byline">By Sam Patel</p>
${paras(BIKE_SHARE)}</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Council tax rises again</a></li><li><a href="/b">Festival returns</a></li></ul></aside>
<footer>© 2026 Riverton Gazette. <a href="/privacy">Privacy policy</a></footer></body></html>`;

const JA_PAGE = `<html lang="ja"><head><meta charset="utf-8"><title>開館時間の延長について - 青葉市</title></head>
<body><div class="menu"><a href="/">トップ</a> <a href="/kurashi">くらし</a></div>
<div id="content"><h1>開館時間の延長について</h1>${paras(LIBRARY_JA)}</div><div class="footer">青葉市役所 〒000-0000</div></body></html>`;

const SPA_SHELL = `<!doctype html><html><head><title>Dashboard</title></head><body><div id="root"></div><script src="/app.js"></script></body></html>`;

describe("extractArticle", () => {
  const r = extractArticle(NEWS_PAGE, { url: "https://gazette.example/news/bike-share" });

  it("finds the headline, author, site and language", () => {
    expect(r).toMatchObject({
      title: "Bike-share beats forecast",
      byline: "Sam Patel",
      siteName: "Riverton Gazette",
      lang: "en-GB",
      excerpt: "The scheme made 412,000 trips in its first year.",
      url: "https://gazette.example/news/bike-share",
    });
  });

  it("keeps the article's paragraphs and drops navigation, sidebar, footer and scripts", () => {
    expect(r.text.split("\n\n")).toEqual(BIKE_SHARE.split("\n\n"));
    for (const junk of ["Most read", "Privacy policy", "Sport", "SCRIPT-TEXT-MUST-NOT-APPEAR", "color: red"]) {
      expect(r.text).not.toContain(junk);
    }
    expect(r.wordCount).toBe(countWords(BIKE_SHARE));
    expect(r.wordCount).toBeGreaterThan(350);
  });

  it("gives text the summariser can use directly", () => {
    const summary = summarizeLocally({ text: r.text, length: "short" });
    expect(summary.summary).toMatch(/^Riverton's bike-share scheme completed its first full year/);
  });

  it("handles a Japanese page, counting each character as a word", () => {
    const ja = extractArticle(JA_PAGE);
    expect(ja.title).toBe("開館時間の延長について");
    expect(ja.lang).toBe("ja");
    expect(ja.text.split("\n\n")).toEqual(LIBRARY_JA.split("\n\n"));
    expect(ja.text).not.toContain("くらし");
    expect(ja.wordCount).toBeGreaterThan(350);
    expect(ja.excerpt.startsWith("青葉市立図書館は")).toBe(true);
  });

  it("accepts a bare HTML fragment", () => {
    const frag = extractArticle("<p>The council will vote next month on extending the network to Millbrook.</p>");
    expect(frag.text).toBe("The council will vote next month on extending the network to Millbrook.");
    expect(frag.title.length).toBeGreaterThan(0);
  });

  it("refuses a page with nothing readable, saying why it might be so", () => {
    for (const html of [SPA_SHELL, "<html><body><nav><a href='/'>Home</a></nav><img src='x.png'></body></html>", ""]) {
      let err: unknown;
      try {
        extractArticle(html);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RejectedInputError);
      expect((err as RejectedInputError).reason).toBe("empty");
      expect((err as Error).message).toMatch(/no readable text to extract.*JavaScript/);
    }
  });
});

describe("extractContent job", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/news") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(NEWS_PAGE);
      else if (req.url === "/old-news") res.writeHead(301, { location: "/news" }).end();
      else if (req.url === "/notes.txt") res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(`Library notice\n\n${LIBRARY_JA}`);
      else res.writeHead(200, { "content-type": "text/html" }).end(SPA_SHELL);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("fetches a page (following its redirect) and extracts it", async () => {
    const out = await extractContent({ url: `${base}/old-news` }, { fetch: { allowPrivateHosts: true } });
    expect(out.provider).toBe("local");
    expect(out.result.url).toBe(`${base}/news`);
    expect(out.result.title).toBe("Bike-share beats forecast");
  });

  it("reads a plain-text page as it is", async () => {
    const out = await extractContent({ url: `${base}/notes.txt` }, { fetch: { allowPrivateHosts: true } });
    expect(out.result).toMatchObject({ title: "Library notice", lang: "ja", byline: null });
    expect(out.result.text).toContain("午後九時まで延長");
  });

  it("names payload.url when the address is refused, and refuses an unreadable page", async () => {
    const err = await extractContent({ url: `${base}/news` }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).fields["payload.url"]).toMatch(/loopback address/);
    const empty = await extractContent({ url: `${base}/app` }, { fetch: { allowPrivateHosts: true } }).catch((e) => e);
    expect(empty).toBeInstanceOf(RejectedInputError);
    expect((empty as Error).message).toMatch(new RegExp(`The page at ${base}/app has no readable text`));
  });

  it("extracts HTML handed in directly", async () => {
    const out = await extractContent({ html: JA_PAGE });
    expect(out.result.title).toBe("開館時間の延長について");
  });
});
