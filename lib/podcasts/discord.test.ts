import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError, RateLimitedError } from "@/lib/errors";
import {
  DISCORD_LIMITS,
  failureMessage,
  formatDuration,
  isDiscordWebhookUrl,
  publishedMessage,
  sendDiscord,
  type DiscordMessage,
} from "./discord";

const TOKEN = "Xyz_secret-TOKEN-0123456789";

/** A stand-in for Discord's webhook endpoint on 127.0.0.1, answering what each test scripts. */
let server: Server;
let webhookUrl: string;
let received: { path: string; headers: IncomingHttpHeaders; body: DiscordMessage }[] = [];
let answer: (res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (raw += c));
    req.on("end", () => {
      received.push({ path: req.url!, headers: req.headers, body: JSON.parse(raw) as DiscordMessage });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/123456789/${TOKEN}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  received = [];
  answer = (res) => res.writeHead(204).end();
});

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

const notice = {
  showTitle: "Tom & Jerry <Live> 🎙️",
  episodeTitle: `Episode 12: "Cats" & <dogs>`,
  summary: "We talk about cats. @everyone should listen.",
  durationSeconds: 3723.4,
  episodeUrl: "https://app.example.com/episodes/ep-12",
  artworkUrl: "https://media.example.com/podcasts/show-1/artwork.jpg",
  publishedAt: new Date("2026-03-01T12:00:00Z"),
};

/** Every text Discord counts, to check the 6,000 total. */
const embedText = (m: DiscordMessage) =>
  m.embeds.reduce(
    (n, e) =>
      n +
      e.title.length +
      (e.description?.length ?? 0) +
      (e.author?.name.length ?? 0) +
      (e.footer?.text.length ?? 0) +
      (e.fields ?? []).reduce((k, f) => k + f.name.length + f.value.length, 0),
    0,
  );

describe("sendDiscord against a stub webhook", () => {
  it("posts the episode embed: title, summary, duration, link, colour, thumbnail; no pings", async () => {
    await sendDiscord(webhookUrl, publishedMessage(notice));
    expect(received).toHaveLength(1);
    const { path, headers, body } = received[0];
    expect(path).toBe(`/api/webhooks/123456789/${TOKEN}`);
    expect(headers["content-type"]).toBe("application/json");
    expect(body).toEqual({
      embeds: [
        {
          title: `Episode 12: "Cats" & <dogs>`,
          description: "We talk about cats. @everyone should listen.",
          url: "https://app.example.com/episodes/ep-12",
          color: 0x7c3aed,
          author: { name: "Tom & Jerry <Live> 🎙️" },
          thumbnail: { url: "https://media.example.com/podcasts/show-1/artwork.jpg" },
          fields: [{ name: "Duration", value: "1:02:03", inline: true }],
          timestamp: "2026-03-01T12:00:00.000Z",
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });

  it("posts the failure notice with the step and the readable error", async () => {
    await sendDiscord(
      webhookUrl,
      failureMessage({
        showTitle: "My show",
        episodeTitle: "Episode 3",
        step: "encode",
        error: "The audio could not be decoded: the file is truncated.",
        episodeUrl: "https://app.example.com/episodes/ep-3",
        failedAt: new Date("2026-03-02T08:00:00Z"),
      }),
    );
    const [embed] = received[0].body.embeds;
    expect(embed.title).toBe("Publishing failed: Episode 3");
    expect(embed.description).toBe(
      "The encode step failed: The audio could not be decoded: the file is truncated.\nOpen the episode to retry it.",
    );
    expect(embed.fields).toEqual([{ name: "Step", value: "encode", inline: true }]);
    expect(embed.color).toBe(0xdc2626);
    expect(embed.url).toBe("https://app.example.com/episodes/ep-3");
    expect(received[0].body.allowed_mentions).toEqual({ parse: [] });
  });

  it("429 → RateLimitedError after Discord's retry_after (seconds in the JSON body)", async () => {
    answer = (res) => json(res, 429, { message: "You are being rate limited.", retry_after: 1.5, global: false });
    const err = await sendDiscord(webhookUrl, publishedMessage(notice)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(1500);
    expect((err as Error).message).toBe("Discord asked us to wait 2 seconds before posting again.");
  });

  it("429 without a body falls back to the Retry-After header", async () => {
    answer = (res) => res.writeHead(429, { "retry-after": "3" }).end();
    const err = (await sendDiscord(webhookUrl, publishedMessage(notice)).catch((e: unknown) => e)) as RateLimitedError;
    expect(err.retryAfterMs).toBe(3000);
  });

  it("404 (webhook deleted) and 401 (bad token) → permanent InvalidInputError on discordWebhookUrl", async () => {
    answer = (res) => json(res, 404, { message: "Unknown Webhook", code: 10015 });
    const gone = (await sendDiscord(webhookUrl, publishedMessage(notice)).catch((e: unknown) => e)) as InvalidInputError;
    expect(gone).toBeInstanceOf(InvalidInputError);
    expect(gone.kind).toBe("permanent");
    expect(gone.fields.discordWebhookUrl).toBe(
      "The Discord webhook no longer works (Discord says: Unknown Webhook). Create a new webhook in Discord and paste its URL in the show's settings.",
    );
    answer = (res) => json(res, 401, { message: "Invalid Webhook Token", code: 50027 });
    const bad = (await sendDiscord(webhookUrl, publishedMessage(notice)).catch((e: unknown) => e)) as InvalidInputError;
    expect(bad.fields.discordWebhookUrl).toMatch(/Invalid Webhook Token/);
  });

  it("400 (a message Discord refuses) → permanent, on notification", async () => {
    answer = (res) => json(res, 400, { message: "Invalid Form Body", code: 50035 });
    const err = (await sendDiscord(webhookUrl, publishedMessage(notice)).catch((e: unknown) => e)) as InvalidInputError;
    expect(err.fields).toEqual({ notification: "Discord refused the notification (400: Invalid Form Body)." });
  });

  it("5xx → transient Error (retried with backoff), not a domain error", async () => {
    answer = (res) => res.writeHead(502).end("bad gateway");
    const err = (await sendDiscord(webhookUrl, publishedMessage(notice)).catch((e: unknown) => e)) as Error;
    expect(err).not.toBeInstanceOf(InvalidInputError);
    expect(err).not.toBeInstanceOf(RateLimitedError);
    expect(err.message).toBe("Discord answered 502; the notification will be tried again.");
  });

  it("never puts the webhook URL or its token in an error", async () => {
    const errors: unknown[] = [];
    for (const respond of [
      (res: ServerResponse) => json(res, 404, { message: "Unknown Webhook" }),
      (res: ServerResponse) => json(res, 429, { retry_after: 1 }),
      (res: ServerResponse) => res.writeHead(500).end(),
      () => {}, // never answers → timeout
    ]) {
      answer = respond;
      errors.push(await sendDiscord(webhookUrl, publishedMessage(notice), { timeoutMs: 200 }).catch((e: unknown) => e));
    }
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve())); // nothing listens there now
    const unreachable = `http://127.0.0.1:${port}/api/webhooks/1/${TOKEN}`;
    errors.push(await sendDiscord(unreachable, publishedMessage(notice)).catch((e: unknown) => e));
    expect(errors.map((e) => (e as Error).message)).toEqual([
      expect.stringMatching(/no longer works/),
      expect.stringMatching(/wait 1 second/),
      expect.stringMatching(/answered 500/),
      "Discord did not answer within 1 second; it will be tried again.",
      "Discord could not be reached (ECONNREFUSED); it will be tried again.",
    ]);
    for (const e of errors) {
      const err = e as Error & { fields?: object };
      const everything = [err.message, String(err.cause), JSON.stringify(err.fields ?? {}), err.stack].join("\n");
      expect(everything).not.toContain(TOKEN);
      expect(everything).not.toContain("/api/webhooks");
    }
  });
});

describe("Discord messages", () => {
  it("cuts a long summary to Discord's limits without splitting an emoji", () => {
    const long = "🎙️ talk ".repeat(2000); // ~18,000 UTF-16 units
    const msg = publishedMessage({ ...notice, summary: long, episodeTitle: "T".repeat(300) });
    const [embed] = msg.embeds;
    expect(embed.title).toHaveLength(DISCORD_LIMITS.title);
    expect(embed.title.endsWith("…")).toBe(true);
    expect(embed.description!.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embed.description!.endsWith("…")).toBe(true);
    expect(embedText(msg)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    expect(embed.description).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no half emoji
    const failure = failureMessage({ showTitle: "S", episodeTitle: "E", step: "store", error: "x".repeat(10_000) });
    expect(failure.embeds[0].description!.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
  });

  it("leaves out the thumbnail when Discord could not fetch the artwork", () => {
    for (const artworkUrl of [
      "http://localhost:3000/api/v1/shows/1/artwork",
      "http://127.0.0.1:3000/a.jpg",
      "http://192.168.1.10/a.jpg",
      "http://10.0.0.5/a.jpg",
      "http://[::1]:3000/a.jpg",
      "http://nas.local/a.jpg",
      "http://framecast/a.jpg",
      "ftp://media.example.com/a.jpg",
      null,
    ]) {
      expect(publishedMessage({ ...notice, artworkUrl }).embeds[0].thumbnail, String(artworkUrl)).toBeUndefined();
    }
    expect(publishedMessage({ ...notice, artworkUrl: "https://cdn.example.com/a.jpg" }).embeds[0].thumbnail).toEqual({
      url: "https://cdn.example.com/a.jpg",
    });
  });

  it("formats durations as a listener reads them", () => {
    expect(formatDuration(59.4)).toBe("0:59");
    expect(formatDuration(605)).toBe("10:05");
    expect(formatDuration(3723.4)).toBe("1:02:03");
  });

  it("recognises Discord webhook URLs for the show settings form", () => {
    expect(isDiscordWebhookUrl("https://discord.com/api/webhooks/123456789/abc-DEF_123")).toBe(true);
    expect(isDiscordWebhookUrl("https://discordapp.com/api/webhooks/1/t")).toBe(true);
    expect(isDiscordWebhookUrl("https://canary.discord.com/api/v10/webhooks/1/t")).toBe(true);
    expect(isDiscordWebhookUrl("http://discord.com/api/webhooks/1/t")).toBe(false);
    expect(isDiscordWebhookUrl("https://discord.com.evil.example/api/webhooks/1/t")).toBe(false);
    expect(isDiscordWebhookUrl("https://127.0.0.1/api/webhooks/1/t")).toBe(false);
    expect(isDiscordWebhookUrl("https://discord.com/api/webhooks/1")).toBe(false);
    expect(isDiscordWebhookUrl("not a url")).toBe(false);
  });
});
