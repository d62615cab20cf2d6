import { execFileSync } from "node:child_process";
import { DOMParser } from "linkedom";
import { parseFeed } from "podcast-partytime";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "@/lib/errors";
import { buildFeed, rfc2822, type Episode, type EpisodeUrls, type PublicUrls, type Show } from "./feed";
import { podcastGuid } from "./shows";

const TRICKY = `Tom & Jerry's <Live> "Show" 🎙️🐈`;

const show: Show = {
  title: TRICKY,
  description: "Talk about <cats> & \"dogs\".",
  language: "en-GB",
  author: "Ada & Co",
  ownerName: "Ada Lovelace",
  ownerEmail: "ada@example.com",
  category: "Leisure > Video Games",
  explicit: false,
  podcastGuid: podcastGuid("https://app.example.com/feeds/first-token"),
  updatedAt: new Date("2026-01-10T08:00:00Z"),
};

const base = "https://media.example.com/podcasts/show-1";
const urls: PublicUrls = {
  feed: "https://app.example.com/feeds/tok123",
  show: "https://app.example.com/shows/show-1",
  artwork: `${base}/artwork.jpg`,
  episode: (e): EpisodeUrls => ({
    page: `https://app.example.com/episodes/${e.id}`,
    audio: `${base}/${e.id}/audio.mp3?v=1&dl="1"`,
    artwork: e.id === "ep-2" ? `${base}/${e.id}/cover.jpg` : null,
    transcriptVtt: `${base}/${e.id}/transcript.vtt`,
    transcriptSrt: `${base}/${e.id}/transcript.srt`,
    transcriptJson: e.id === "ep-2" ? `${base}/${e.id}/transcript.json` : null,
    chapters: `${base}/${e.id}/chapters.json`,
  }),
};

const ep1: Episode = {
  id: "ep-1",
  title: "First & <best> \"one\" 🚀",
  summary: "We start. 1 < 2 & 3 > 2.",
  showNotes: `<p onclick="steal()">Links: <a href="https://example.org/?a=1&b=2" target="_blank">site</a>
    <a href="javascript:alert(1)">bad</a></p><script>alert("pwned")</script><style>p{}</style><h3>Part 2</h3>`,
  publishedAt: new Date("2026-01-05T09:30:00Z"),
  audioBytes: 12_345_678,
  durationSec: 1834.56,
  episodeNumber: 1,
  season: 1,
  episodeType: "full",
  keywords: ["cats", "dogs, birds", "news"],
};

const ep2: Episode = {
  id: "ep-2",
  title: "Bonus: the trailer",
  summary: "A short one.",
  showNotes: null,
  publishedAt: new Date("2026-01-12T17:00:05Z"),
  updatedAt: new Date("2026-01-13T10:00:00Z"),
  audioBytes: 98_765,
  durationSec: 59.4,
  episodeNumber: 2,
  season: 1,
  episodeType: "bonus",
  explicit: true,
  keywords: [],
  language: "fr",
};

/** The feed as XML elements, for the attributes a feed parser normalises away. */
function dom(xml: string) {
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  const all = (tag: string, root: Pick<ParentNode, "querySelectorAll"> = doc) => [...root.querySelectorAll("*")].filter((el) => el.tagName === tag);
  const items = all("item");
  return { doc, all, items };
}

function xmllint(xml: string): void {
  // Throws (with xmllint's message) if the document is not well-formed XML.
  execFileSync("xmllint", ["--noout", "-"], { input: xml, stdio: ["pipe", "pipe", "pipe"] });
}

describe("buildFeed", () => {
  const xml = buildFeed(show, [ep1, ep2], urls);

  it("is well-formed XML (xmllint) that a real podcast feed parser reads", () => {
    expect(() => xmllint(xml)).not.toThrow();
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const feed = parseFeed(xml);
    expect(feed).not.toBeNull();
    expect(feed!.items).toHaveLength(2);
  });

  it("declares the itunes, podcast, atom and content namespaces on <rss version=2.0>", () => {
    const rss = dom(xml).all("rss")[0];
    expect(rss.getAttribute("version")).toBe("2.0");
    expect(rss.getAttribute("xmlns:itunes")).toBe("http://www.itunes.com/dtds/podcast-1.0.dtd");
    expect(rss.getAttribute("xmlns:podcast")).toBe("https://podcastindex.org/namespace/1.0");
    expect(rss.getAttribute("xmlns:atom")).toBe("http://www.w3.org/2005/Atom");
    expect(rss.getAttribute("xmlns:content")).toBe("http://purl.org/rss/1.0/modules/content/");
  });

  it("writes every channel tag", () => {
    const feed = parseFeed(xml)!;
    expect(feed.title).toBe(TRICKY);
    expect(feed.link).toBe(urls.show);
    expect(feed.description).toBe('Talk about <cats> & "dogs".');
    expect(feed.language).toBe("en-GB");
    expect(feed.pubsub?.self).toBe(urls.feed);
    expect(feed.author).toBe("Ada & Co");
    expect(feed.owner).toEqual({ name: "Ada Lovelace", email: "ada@example.com" });
    expect(feed.itunesImage).toBe(urls.artwork);
    expect(feed.image).toMatchObject({ url: urls.artwork, title: TRICKY, link: urls.show });
    expect(feed.itunesCategory).toEqual(["Leisure > Video Games"]);
    expect(feed.explicit).toBe(false);
    expect(feed.itunesType).toBe("episodic");
    expect(feed.guid).toBe(show.podcastGuid);
    expect(feed.locked).toBe(true);
    expect(feed.podcastOwner).toBe("ada@example.com");
    expect(feed.generator).toBe("Framecast");
    // The newest change (ep-2 edited after publishing), not the clock: rebuilds are identical.
    expect(feed.lastBuildDate?.toISOString()).toBe("2026-01-13T10:00:00.000Z");

    const { all } = dom(xml);
    const self = all("atom:link")[0];
    expect([self.getAttribute("href"), self.getAttribute("rel"), self.getAttribute("type")]).toEqual([
      urls.feed,
      "self",
      "application/rss+xml",
    ]);
    // Subcategory nested inside its category, as Apple requires.
    const [leisure, ...rest] = all("itunes:category");
    expect(leisure.getAttribute("text")).toBe("Leisure");
    expect(leisure.parentElement?.tagName).toBe("channel");
    expect(rest.map((el) => [el.getAttribute("text"), el.parentElement === leisure])).toEqual([["Video Games", true]]);
    expect(all("itunes:explicit")[0].textContent).toBe("false");
    expect(all("podcast:locked")[0].textContent).toBe("yes");
    expect(all("podcast:locked")[0].getAttribute("owner")).toBe("ada@example.com");
    expect(all("podcast:guid")[0].textContent).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("writes every item tag, newest episode first", () => {
    const [second, first] = parseFeed(xml)!.items;
    expect(second.guid).toBe("ep-2");
    expect(first.guid).toBe("ep-1");

    expect(first.title).toBe(ep1.title);
    expect(first.link).toBe("https://app.example.com/episodes/ep-1");
    expect(first.enclosure).toEqual({ url: `${base}/ep-1/audio.mp3?v=1&dl="1"`, length: 12_345_678, type: "audio/mpeg" });
    expect(first.duration).toBe(1835); // whole seconds
    expect(first.itunesEpisode).toBe(1);
    expect(first.itunesSeason).toBe(1);
    expect(first.itunesEpisodeType).toBe("full");
    expect(first.explicit).toBe(false); // follows the show
    expect(first.summary).toBe("We start. 1 < 2 & 3 > 2.");
    expect(first.keywords).toEqual(["cats", "dogs birds", "news"]);
    expect(first.itunesImage).toBeUndefined();
    expect(first.pubDate?.toISOString()).toBe("2026-01-05T09:30:00.000Z");
    expect(first.podcastChapters).toEqual({ url: `${base}/ep-1/chapters.json`, type: "application/json+chapters" });
    expect(first.podcastTranscripts?.map((t) => [t.url, t.language, t.rel])).toEqual([
      [`${base}/ep-1/transcript.vtt`, "en-GB", "captions"],
      [`${base}/ep-1/transcript.srt`, "en-GB", "captions"],
    ]);

    expect(second.itunesEpisodeType).toBe("bonus");
    expect(second.explicit).toBe(true);
    expect(second.itunesImage).toBe(`${base}/ep-2/cover.jpg`);
    expect(second.podcastTranscripts?.map((t) => t.language)).toEqual(["fr", "fr", "fr"]);

    // Raw attributes the parser normalises: guid is not a permalink, transcript MIME types.
    const { all, items } = dom(xml);
    expect(items.map((it) => all("guid", it)[0].getAttribute("isPermaLink"))).toEqual(["false", "false"]);
    expect(all("podcast:transcript", items[0]).map((el) => el.getAttribute("type"))).toEqual([
      "text/vtt",
      "application/x-subrip",
      "application/json",
    ]);
    expect(all("itunes:duration", items[1])[0].textContent).toBe("1835");
    expect(all("itunes:keywords", items[0])).toHaveLength(0); // no keywords, no empty tag
  });

  it("writes pubDate and lastBuildDate as RFC 2822 dates", () => {
    const { all } = dom(xml);
    const dates = [...all("pubDate"), ...all("lastBuildDate")].map((el) => el.textContent!);
    expect(dates).toEqual(["Mon, 12 Jan 2026 17:00:05 +0000", "Mon, 05 Jan 2026 09:30:00 +0000", "Tue, 13 Jan 2026 10:00:00 +0000"]);
    for (const d of dates) {
      expect(d).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    }
    expect(new Date(rfc2822(ep1.publishedAt)).getTime()).toBe(ep1.publishedAt.getTime());
    expect(rfc2822(new Date("2024-02-29T23:59:59.999Z"))).toBe("Thu, 29 Feb 2024 23:59:59 +0000");
  });

  it("keeps & < > \" and emoji intact in titles, text and attributes", () => {
    const feed = parseFeed(xml)!;
    expect(feed.title).toBe(TRICKY);
    expect(feed.items[1].title).toBe("First & <best> \"one\" 🚀");
    expect(feed.items[1].enclosure.url).toContain('&dl="1"');
    expect(xml).toContain("Tom &amp; Jerry's &lt;Live&gt;");
    expect(xml).toContain("🎙️🐈");
    expect(xml).toContain('url="https://media.example.com/podcasts/show-1/ep-1/audio.mp3?v=1&amp;dl=&quot;1&quot;"');
  });

  it("drops characters XML cannot carry instead of writing an unparseable feed", () => {
    const nasty = buildFeed({ ...show, title: "Bell\u0007 and lone \ud800 surrogate\u0000" }, [ep1], urls);
    expect(() => xmllint(nasty)).not.toThrow();
    expect(nasty).toContain("<title>Bell and lone  surrogate</title>");
  });

  it("puts sanitised show notes in CDATA: no script, no handlers, safe links", () => {
    const first = parseFeed(xml)!.items[1];
    const notes = first.description!;
    expect(xml).toContain("<description><![CDATA[<p>Links:");
    expect(notes).not.toMatch(/script|pwned|onclick|steal|javascript:|<style/i);
    expect(xml).toContain('<a href="https://example.org/?a=1&amp;b=2" rel="noopener nofollow">site</a>');
    expect(notes).toContain("<h3>Part 2</h3>");
    // content:encoded carries the same HTML
    const { all, items } = dom(xml);
    expect(all("content:encoded", items[1])[0].textContent).toBe(all("description", items[1])[0].textContent);
    // No notes: the summary stands in, as escaped HTML, and there is no content:encoded.
    const second = parseFeed(xml)!.items[0];
    expect(second.description).toBe("<p>A short one.</p>");
    expect(all("content:encoded", items[0])).toHaveLength(0);
  });

  it("writes the enclosure length as the exact byte count given", () => {
    const { all, items } = dom(xml);
    expect(all("enclosure", items[1])[0].getAttribute("length")).toBe("12345678");
    expect(all("enclosure", items[0])[0].getAttribute("length")).toBe("98765");
    const big = buildFeed(show, [{ ...ep1, audioBytes: 3_221_225_472 }], urls); // > 2^31
    expect(parseFeed(big)!.items[0].enclosure.length).toBe(3_221_225_472);
    // The Episode table stores bytes as BIGINT; Prisma hands them over as bigint.
    const fromRow = buildFeed(show, [{ ...ep1, audioBytes: 9_007_199_254_740_993n }], urls); // > 2^53
    expect(fromRow).toContain('length="9007199254740993"');
  });

  it("is identical across rebuilds, and an episode's guid survives other episodes coming and going", () => {
    expect(buildFeed(show, [ep2, ep1], urls)).toBe(xml);
    const ep3: Episode = { ...ep1, id: "ep-3", title: "Third", publishedAt: new Date("2026-02-01T00:00:00Z") };
    const later = parseFeed(buildFeed(show, [ep1, ep2, ep3], urls))!;
    expect(later.items.map((i) => i.guid)).toEqual(["ep-3", "ep-2", "ep-1"]);
    const alone = parseFeed(buildFeed({ ...show, title: "Renamed" }, [ep1], urls))!;
    expect(alone.items[0].guid).toBe("ep-1");
  });

  it("keeps the stored podcast:guid when the feed URL changes (a rotated token)", () => {
    const rotated = buildFeed(show, [ep1], { ...urls, feed: "https://app.example.com/feeds/new-token" });
    expect(parseFeed(rotated)!.guid).toBe(show.podcastGuid);
    expect(parseFeed(rotated)!.pubsub?.self).toBe("https://app.example.com/feeds/new-token");
  });

  it("writes a top-level category without a subcategory, in Apple's spelling", () => {
    const feed = buildFeed({ ...show, category: "tv & film" }, [], urls);
    expect(parseFeed(feed)!.itunesCategory).toEqual(["TV & Film"]);
    expect(feed).toContain('<itunes:category text="TV &amp; Film"/>');
  });

  it("honours locked=false, serial shows and an explicit show", () => {
    const feed = parseFeed(buildFeed({ ...show, locked: false, type: "serial", explicit: true }, [ep1], urls))!;
    expect(feed.locked).toBe(false);
    expect(feed.itunesType).toBe("serial");
    expect(feed.explicit).toBe(true);
    expect(feed.items[0].explicit).toBe(true);
  });

  it("builds an empty show (no episodes yet) that is still a valid feed", () => {
    const empty = buildFeed(show, [], { ...urls, artwork: null });
    expect(() => xmllint(empty)).not.toThrow();
    const feed = parseFeed(empty)!;
    expect(feed.items).toEqual([]);
    expect(feed.itunesImage).toBeUndefined();
    expect(feed.lastBuildDate?.toISOString()).toBe(show.updatedAt.toISOString());
  });

  it("refuses input a podcast app would choke on, naming the field", () => {
    const fails = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidInputError);
        return (err as InvalidInputError).fields;
      }
      throw new Error("expected InvalidInputError");
    };
    expect(fails(() => buildFeed({ ...show, category: "Gaming" }, [], urls))).toHaveProperty("category");
    expect(fails(() => buildFeed({ ...show, category: "Leisure > Poker" }, [], urls))).toHaveProperty("category");
    expect(fails(() => buildFeed({ ...show, podcastGuid: "" }, [], urls))).toHaveProperty("podcastGuid");
    expect(fails(() => buildFeed(show, [{ ...ep1, episodeType: "special" }], urls))).toHaveProperty("episodeType");
    expect(fails(() => buildFeed(show, [{ ...ep1, audioBytes: 0n }], urls))).toHaveProperty("audioBytes");
    expect(fails(() => buildFeed(show, [{ ...ep1, audioBytes: 0 }], urls))).toHaveProperty("audioBytes");
    expect(fails(() => buildFeed(show, [{ ...ep1, audioBytes: 1.5 }], urls))).toHaveProperty("audioBytes");
    expect(fails(() => buildFeed(show, [{ ...ep1, durationSec: NaN }], urls))).toHaveProperty("durationSec");
    expect(fails(() => buildFeed(show, [{ ...ep1, episodeNumber: 0 }], urls))).toHaveProperty("episodeNumber");
    expect(fails(() => buildFeed(show, [ep1, { ...ep2, id: "ep-1" }], urls))).toHaveProperty("id");
    expect(fails(() => buildFeed(show, [ep1], { ...urls, feed: "/feeds/relative" }))).toHaveProperty("feedUrl");
    expect(fails(() => buildFeed(show, [ep1], { ...urls, episode: (e) => ({ ...urls.episode(e), audio: "file:///etc/passwd" }) }))).toHaveProperty("audioUrl");
  });

  // Its speed is bench scenario 11's to measure; here, that a feed this size is still valid.
  it("builds a valid feed of 1,000 episodes", { timeout: 120_000 }, () => {
    const many: Episode[] = Array.from({ length: 1000 }, (_, i) => ({
      ...ep1,
      id: `ep-${i}`,
      title: `Episode ${i} & friends <live>`,
      showNotes: `<p>Notes for episode ${i} with <a href="https://example.org/${i}">a link</a>.</p><ul><li>one</li><li>two</li></ul>`,
      publishedAt: new Date(Date.UTC(2020, 0, 1) + i * 86_400_000),
      episodeNumber: i + 1,
    }));
    const out = buildFeed(show, many, urls);
    // xmllint, not the podcast parser (tens of seconds on 2.4 MB on a busy machine): well-formed, every item there.
    const items = execFileSync("xmllint", ["--xpath", "count(//item)", "-"], { input: out, encoding: "utf8" });
    expect(Number(items)).toBe(1000);
  });
});
