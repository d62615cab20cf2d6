import { describe, expect, it } from "vitest";
import { FEED_TOKEN, newFeedToken, podcastGuid, showFieldsSchema } from "./shows";

describe("shows", () => {
  it("derives podcast:guid as the Podcasting 2.0 spec's own example does", () => {
    // The namespace documentation's example feed and guid.
    expect(podcastGuid("https://mp3s.nashownotes.com/pc20rss.xml")).toBe("917393e3-1b1e-5cef-ace4-edaa54e1f810");
    expect(podcastGuid("http://mp3s.nashownotes.com/pc20rss.xml/")).toBe("917393e3-1b1e-5cef-ace4-edaa54e1f810");
  });

  it("makes unguessable feed tokens of one recognisable shape", () => {
    const a = newFeedToken();
    expect(a).toMatch(FEED_TOKEN);
    expect(newFeedToken()).not.toBe(a);
  });

  it("names the field a person got wrong", () => {
    const result = showFieldsSchema.safeParse({ title: " ", author: "A", ownerName: "A", ownerEmail: "nope", discordWebhookUrl: "https://example.com/hook" });
    expect(result.success).toBe(false);
    const fields = Object.fromEntries(result.error!.issues.map((i) => [i.path.join("."), i.message]));
    expect(fields.title).toBe("This can't be empty.");
    expect(fields.ownerEmail).toBe("Not an email address.");
    expect(fields.discordWebhookUrl).toMatch(/Discord webhook URL/);
  });
});
