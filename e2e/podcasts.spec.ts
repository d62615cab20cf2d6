// A podcaster's first episode in a real browser: make a show and edit it (a refused save
// shows its field error), upload two spoken recordings and a text file named .mp3 (refused
// with a readable 415), watch each bar, fix the title and add chapters at review, publish,
// read the feed as a podcast app would, open the episode, play it and seek by chapter. Each page is also checked at phone
// width for sideways scrolling.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { parseFeed } from "podcast-partytime";
import { makeSpeech } from "../test/audio";
import { freshEmail, signUpInBrowser } from "./accounts";
import { expect, test } from "./fixtures";

// Long enough for the pipeline's steps to be seen moving, short enough for a shared machine.
const SPEECH = "Welcome to the Framecast test show. Today we talk about feeds, chapters and transcripts. Thanks for listening.";

/** At phone width nothing scrolls sideways; the viewport is put back afterwards. */
async function checkPhoneWidth(page: Page, name: string) {
  const before = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(200);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} scrolls sideways at 390 px`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `test-results/podcasts-${name}-390.png`, fullPage: true });
  await page.setViewportSize(before);
}

test("make a show, upload two recordings and a fake one, review, publish, read the feed, play", async ({ page }) => {
  test.setTimeout(420_000);
  const [first, second] = await Promise.all([makeSpeech(SPEECH, { format: "mp3", seconds: 14 }), makeSpeech(SPEECH, { format: "m4a", seconds: 12 })]);

  await signUpInBrowser(page, freshEmail("pod"));
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Podcasts" }).click();
  await expect(page.getByRole("heading", { name: "Podcasts", level: 1 })).toBeVisible();
  await expect(page.getByTestId("podcasts-empty")).toContainText("Here is how it works");
  await expect(page.getByTestId("show-card")).toHaveCount(1); // the default show, made on first visit
  await checkPhoneWidth(page, "empty");

  // Make a second show and set it up; a bad email is refused beside its field.
  await page.getByRole("button", { name: "New show" }).click();
  await page.getByLabel("Title of the new show").fill("Framecast E2E");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Framecast E2E", level: 1 })).toBeVisible();
  await page.getByLabel("Title", { exact: true }).fill("Tom & Jerry's <Show>");
  await page.getByLabel("Description").fill("A show made by the end-to-end test.");
  await page.getByLabel("Category").selectOption("Technology");
  await page.getByLabel("Owner email").fill("not an email");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByLabel("Owner email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Owner email")).toBeFocused();
  await page.getByLabel("Owner email").fill("owner@example.com");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Tom & Jerry's <Show>", level: 1 })).toBeVisible();
  const feedUrl = await page.getByLabel("Paste this URL into any podcast app to subscribe:").inputValue();
  expect(feedUrl).toMatch(/\/feeds\/[A-Za-z0-9_-]{32}$/);
  await checkPhoneWidth(page, "show");

  // Upload to that show: two recordings and a text file pretending to be an MP3.
  await page.getByRole("link", { name: "← Podcasts" }).click();
  await page.getByLabel("Upload to").selectOption({ label: "Tom & Jerry's <Show>" });
  await page.getByTestId("file-input").setInputFiles([
    { name: "episode-one.mp3", mimeType: "audio/mpeg", buffer: await readFile(first) },
    { name: "episode-two.m4a", mimeType: "audio/mp4", buffer: await readFile(second) },
    { name: "notes.mp3", mimeType: "audio/mpeg", buffer: Buffer.from("These are my notes for the show, not a recording.\n".repeat(20)) },
  ]);
  const rows = page.getByTestId("upload-row");
  await expect(rows).toHaveCount(3);
  const row = (name: string) => rows.filter({ hasText: name });
  for (const name of ["episode-one.mp3", "episode-two.m4a", "notes.mp3"]) await expect(row(name).getByRole("progressbar")).toBeVisible();

  // The fake is refused at once, with a sentence saying what it looks like and no Retry.
  await expect(row("notes.mp3")).toHaveAttribute("data-status", "rejected");
  await expect(row("notes.mp3").getByRole("status")).toContainText(/not audio|looks like/i);
  await expect(row("notes.mp3").getByRole("button", { name: "Retry" })).toHaveCount(0);

  // The recordings move through their steps by name, then wait for review with a full bar.
  await expect(row("episode-one.mp3").getByRole("status")).toContainText(/Analysing —|Ready for review/, { timeout: 60_000 });
  for (const name of ["episode-one.mp3", "episode-two.m4a"]) {
    await expect(row(name)).toHaveAttribute("data-status", "ready_for_review", { timeout: 180_000 });
    await expect(row(name).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  }
  await expect(page.getByTestId("episode-row")).toHaveCount(2);
  await page.screenshot({ path: "test-results/podcasts-uploads.png", fullPage: true });
  await checkPhoneWidth(page, "uploads");

  // Review: a title with XML's special characters and an emoji, then Publish.
  const title = `Episode 1: Tom & Jerry <live> "quoted" 🎙️ ${randomUUID().slice(0, 4)}`;
  await row("episode-one.mp3").getByRole("link", { name: "episode-one.mp3" }).click();
  await expect(page.getByRole("heading", { name: "Review" })).toBeVisible();
  await expect(page.getByTestId("episode-status")).toHaveAttribute("data-status", "ready_for_review");
  // Without a speech recogniser there is no transcript, and the page says why.
  await expect(page.getByTestId("transcript").or(page.getByTestId("transcript-note"))).toBeVisible();
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Show notes (HTML)").fill('<p>Notes with <a href="https://example.com/">a link</a><script>alert(1)</script></p>');
  await expect(page.getByTestId("notes-preview").getByRole("link", { name: "a link" })).toBeVisible();
  await expect(page.getByTestId("notes-preview").locator("script")).toHaveCount(0);
  // Two chapters typed by hand (the speech is too short for chapters from pauses).
  const chapterRows = page.getByTestId("chapter-row");
  const before = await chapterRows.count();
  await page.getByRole("button", { name: "Add chapter" }).click();
  await page.getByLabel(`Start of chapter ${before + 1}`).fill("0:00");
  await page.getByLabel(`Title of chapter ${before + 1}`).fill("Welcome");
  await page.getByRole("button", { name: "Add chapter" }).click();
  await page.getByLabel(`Start of chapter ${before + 2}`).fill("0:07");
  await page.getByLabel(`Title of chapter ${before + 2}`).fill("The middle");
  await checkPhoneWidth(page, "review");
  await page.getByRole("button", { name: "Save and publish" }).click();
  await expect(page.getByTestId("episode-status")).toHaveAttribute("data-status", "published", { timeout: 180_000 });
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
  await expect(page.getByTestId("feed-state")).toContainText("Published");

  // The feed, as a podcast app reads it: valid XML, the new title, the audio enclosure.
  const feed = await page.request.get(feedUrl);
  expect(feed.status()).toBe(200);
  expect(feed.headers()["content-type"]).toContain("application/rss+xml");
  const xml = await feed.text();
  execFileSync("xmllint", ["--noout", "-"], { input: xml }); // throws on malformed XML
  const parsed = parseFeed(xml);
  expect(parsed?.title).toBe("Tom & Jerry's <Show>");
  expect(parsed?.items.map((i) => i.title)).toEqual([title]);
  const enclosure = parsed!.items[0].enclosure;
  expect(enclosure.type).toBe("audio/mpeg");
  expect(enclosure.length).toBeGreaterThan(10_000);

  // Listen: pressing play makes the audio advance.
  await page.reload();
  const audio = page.getByTestId("episode-audio");
  await expect(audio).toBeVisible();
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  // The play button of the browser's own controls sits at their left end.
  const box = (await audio.boundingBox())!;
  await audio.click({ position: { x: 20, y: box.height / 2 } });
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 20_000 }).toBeGreaterThan(0.5);
  expect(await audio.evaluate((a: HTMLAudioElement) => a.paused)).toBe(false);
  // A chapter seeks there and is marked as the one playing.
  const chapters = page.getByRole("list", { name: "Chapters" }).getByRole("button");
  await expect(chapters.filter({ hasText: "The middle" })).toBeVisible();
  await chapters.filter({ hasText: "The middle" }).click();
  await expect(chapters.filter({ hasText: "The middle" })).toHaveAttribute("aria-current", "true");
  // …and it plays on from there (the player has the published MP3, not a stale cached upload).
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime)).toBeGreaterThan(7.5);
  expect(await audio.evaluate((a: HTMLAudioElement) => a.error)).toBeNull();
  await audio.evaluate((a: HTMLAudioElement) => a.pause());
  await page.screenshot({ path: "test-results/podcasts-episode.png", fullPage: true });
  await checkPhoneWidth(page, "episode");
});
