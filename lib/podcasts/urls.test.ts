import { describe, expect, it } from "vitest";
import { contentTypeOfKey, publishedKey } from "./keys";
import { episodeUrls, feedUrl, keyOfPublicPath, mediaUrl } from "./urls";

const show = { id: "5b0e9c1e-7d4c-4a43-9a59-1a2b3c4d5e6f", feedToken: "A".repeat(32) };
const episodeId = "0f8e2d3c-1b2a-4c5d-8e9f-aabbccddeeff";
const app = { appUrl: "https://cast.example.com/" };
const cdn = { appUrl: "https://cast.example.com", publicMediaBaseUrl: "https://media.example.com/" };

describe("public URLs of a show's files", () => {
  it("are served by the app under the feed token, or by PUBLIC_MEDIA_BASE_URL at the object's key", () => {
    const key = publishedKey(show.id, episodeId, 2, "audio");
    expect(key).toBe(`podcasts/${show.id}/${episodeId}/g2/episode.mp3`);
    expect(feedUrl(app, show)).toBe(`https://cast.example.com/feeds/${show.feedToken}`);
    expect(mediaUrl(app, show, key)).toBe(`https://cast.example.com/feeds/${show.feedToken}/${episodeId}/g2/episode.mp3`);
    expect(mediaUrl(cdn, show, key)).toBe(`https://media.example.com/${key}`);
  });

  it("refuse a key outside the show's folder", () => {
    expect(() => mediaUrl(app, show, "originals/2026/11/x")).toThrow(/not a published file/);
    expect(() => mediaUrl(app, show, `podcasts/${episodeId}/x`)).toThrow();
  });

  it("map an app-served path back to its key, never outside the show", () => {
    expect(keyOfPublicPath(show, [episodeId, "g2", "episode.mp3"])).toBe(`podcasts/${show.id}/${episodeId}/g2/episode.mp3`);
    for (const bad of [[], [".."], [episodeId, "..", "x"], ["", "x"], [".hidden"], ["a..b"]]) expect(keyOfPublicPath(show, bad)).toBeNull();
  });

  it("list an episode's files, and nothing before it has audio", () => {
    const files = { vtt: publishedKey(show.id, episodeId, 0, "vtt"), chapters: publishedKey(show.id, episodeId, 0, "chapters") };
    expect(episodeUrls(app, show, { audioKey: null, files })).toBeNull();
    expect(episodeUrls(cdn, show, { audioKey: publishedKey(show.id, episodeId, 0, "audio"), files })).toEqual({
      audio: `https://media.example.com/podcasts/${show.id}/${episodeId}/g0/episode.mp3`,
      artwork: null,
      transcriptVtt: `https://media.example.com/podcasts/${show.id}/${episodeId}/g0/transcript.vtt`,
      transcriptSrt: null,
      transcriptJson: null,
      chapters: `https://media.example.com/podcasts/${show.id}/${episodeId}/g0/chapters.json`,
    });
  });

  it("serve each published file with its content type", () => {
    expect(contentTypeOfKey("podcasts/s/e/g0/episode.mp3")).toBe("audio/mpeg");
    expect(contentTypeOfKey("podcasts/s/e/g0/transcript.vtt")).toBe("text/vtt; charset=utf-8");
    expect(contentTypeOfKey("podcasts/s/e/g0/transcript.srt")).toBe("application/x-subrip; charset=utf-8");
    expect(contentTypeOfKey("podcasts/s/e/g0/chapters.json")).toBe("application/json+chapters; charset=utf-8");
    expect(contentTypeOfKey("podcasts/s/artwork-abc.jpg")).toBe("image/jpeg");
    expect(contentTypeOfKey("podcasts/s/e/source.mp3")).toBe("application/octet-stream");
  });
});
