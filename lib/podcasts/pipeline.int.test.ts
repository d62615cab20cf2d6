// Podcast episodes end to end over the HTTP handlers, with the real worker runtime,
// Postgres, Redis, local storage and ffmpeg, and speech made by espeak-ng: two recordings
// uploaded at once, analysed, reviewed (a title full of XML's special characters and an
// emoji), published, and read back the way a podcast app would — the feed parsed by a real
// feed parser and checked by xmllint, the enclosure's length and duration against the
// stored file, 304 on a repeat, Range and HEAD on the audio, and the MP3's loudness
// measured. Also: a text file named .mp3, a recording of silence, a recording over the
// length limit, an edit after publishing, unpublish, delete, token rotation, nobody
// else reaching any of it, and the run's start and completion times in every answer.
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { Redis } from "ioredis";
import { parseFile } from "music-metadata";
import { parseFeed } from "podcast-partytime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as episodeAudio } from "@/app/api/v1/episodes/[id]/audio/route";
import { GET as getProgress } from "@/app/api/v1/episodes/[id]/progress/route";
import { POST as publish } from "@/app/api/v1/episodes/[id]/publish/route";
import { POST as resume } from "@/app/api/v1/episodes/[id]/resume/route";
import { DELETE as deleteEpisode, GET as getEpisode, PATCH as patchEpisode } from "@/app/api/v1/episodes/[id]/route";
import { POST as unpublish } from "@/app/api/v1/episodes/[id]/unpublish/route";
import { GET as listEpisodes, POST as createEpisodes } from "@/app/api/v1/episodes/route";
import { GET as episodeStream } from "@/app/api/v1/episodes/stream/route";
import { GET as getRunAdmin } from "@/app/api/admin/workflow-runs/[id]/route";
import { POST as rotateToken } from "@/app/api/v1/shows/[id]/feed-token/route";
import { GET as getShow } from "@/app/api/v1/shows/[id]/route";
import { GET as listShows } from "@/app/api/v1/shows/route";
import { GET as publicFile, HEAD as publicFileHead } from "@/app/feeds/[token]/[...path]/route";
import { GET as feedRoute } from "@/app/feeds/[token]/route";
import { db } from "@/lib/db";
import { createRedis } from "@/lib/redis";
import { storage } from "@/lib/storage/instance";
import { makeSilence, makeSpeech } from "@/test/audio";
import { audioForm, call, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import { NO_RECOGNISER, NO_SPEECH } from "./local-understand";
import { measureLoudness } from "./loudness";
import type { EpisodeDetail, EpisodeView, ShowView } from "./view";

const run = promisify(execFile);

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let alice: string;
let bob: string;

beforeAll(async () => {
  iso = await isolate({ APP_URL: "http://podcasts.test", PODCAST_MAX_MINUTES: "1" });
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), { concurrency: 2, log: () => {} });
  alice = await signUp("alice@example.com");
  bob = await signUp("bob@example.com");
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
});

const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { "content-type": "application/json" } });

async function upload(cookie: string, files: { name: string; bytes: Buffer; type?: string }[]) {
  const res = await call(createEpisodes, { path: "/api/v1/episodes", method: "POST", cookie, body: audioForm(files) });
  return { status: res.status, body: await res.json() };
}

/** Follows the episodes' SSE stream until every one is waiting, published or failed; returns every update. */
async function follow(cookie: string, ids: string[]): Promise<EpisodeView[]> {
  const res = await call(episodeStream, { path: `/api/v1/episodes/stream?ids=${ids.join(",")}`, cookie });
  expect(res.status).toBe(200);
  const messages = await readSse(res);
  return messages.filter((m) => m.event === "episode").map((m) => m.data as EpisodeView);
}

async function detail(cookie: string, id: string): Promise<EpisodeDetail> {
  const res = await call(getEpisode, { path: `/api/v1/episodes/${id}`, cookie, params: { id } });
  expect(res.status).toBe(200);
  return res.json();
}

async function act(handler: typeof publish, action: string, cookie: string, id: string) {
  return call(handler, { path: `/api/v1/episodes/${id}/${action}`, method: "POST", cookie, params: { id } });
}

/** A feed route call by URL (as a podcast app would), relative to the app. */
function feedCall(url: string, headers: Record<string, string> = {}, method = "GET") {
  const { pathname } = new URL(url);
  const [, , token, ...rest] = pathname.split("/");
  if (rest.length === 0) return call(feedRoute, { path: pathname, params: { token }, headers, method });
  const handler = method === "HEAD" ? publicFileHead : publicFile;
  return call(handler, { path: pathname, params: { token, path: rest.map(decodeURIComponent) as unknown as string }, headers, method });
}

async function xmllint(xml: string): Promise<void> {
  const file = path.join(iso.dataDir, "feed-check.xml");
  await writeFile(file, xml);
  await run("xmllint", ["--noout", file]);
}

async function ffprobeDuration(file: string): Promise<number> {
  const { stdout } = await run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file]);
  return Number(stdout.trim());
}

const objectPath = (key: string) => path.join(iso.dataDir, "objects", key);

describe("podcast episodes", () => {
  const TITLE = `Tom & Jerry <Live> "quoted" 🎙️ édition`;
  let ids: string[];
  let show: ShowView;

  it("takes two recordings in one request, analyses both on their own, and waits for review", { timeout: 180_000 }, async () => {
    const one = await makeSpeech("Welcome to the morning show. Today we talk about trains, tea and the weather in the hills.", { format: "mp3", seconds: 12 });
    const two = await makeSpeech("This is the second episode. It is about bicycles and the people who repair them.", { format: "m4a", seconds: 11, channels: 2 });
    const sent = await upload(alice, [
      { name: "morning-show_episode-one.mp3", bytes: await readFile(one) },
      { name: "bicycles.m4a", bytes: await readFile(two), type: "audio/mp4" },
    ]);
    expect(sent.status).toBe(202);
    expect(sent.body.episodes).toEqual([
      { episodeId: expect.any(String), status: "processing" },
      { episodeId: expect.any(String), status: "processing" },
    ]);
    ids = sent.body.episodes.map((e: { episodeId: string }) => e.episodeId);

    const updates = await follow(alice, ids);
    for (const id of ids) {
      const mine = updates.filter((u) => u.id === id);
      expect(mine.at(-1)!.status).toBe("ready_for_review");
      // Shown live, step by step, and never going backwards.
      expect(mine.some((u) => u.status === "processing" && u.stepLabel === "Reading the audio")).toBe(true);
      const percents = mine.map((u) => u.progress);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
    }

    const first = await detail(alice, ids[0]);
    expect(first).toMatchObject({
      title: "Morning show episode one",
      status: "ready_for_review",
      statusLabel: "Ready for review",
      transcript: null,
      transcriptNote: NO_RECOGNISER,
      model: "local",
      inFeed: false,
      canPublish: true,
      editable: true,
      audio: { codec: "mp3", channels: 1 },
    });
    expect(first.durationSec).toBeCloseTo(12, 0);
    expect(first.urls.audio).toBeNull();
    expect((await detail(alice, ids[1])).audio).toMatchObject({ codec: "aac", channels: 2 });

    const progress = await (await call(getProgress, { path: `/api/v1/episodes/${ids[0]}/progress`, cookie: alice, params: { id: ids[0] } })).json();
    expect(progress).toMatchObject({ currentPhase: "publish", currentStep: "encode", completedPhases: ["analyse"], canProceed: true, requiresManualTrigger: true, status: "ready_for_review" });

    // The review player plays the upload before anything is published.
    const review = await call(episodeAudio, { path: `/api/v1/episodes/${ids[0]}/audio`, cookie: alice, params: { id: ids[0] }, headers: { range: "bytes=0-9" } });
    expect(review.status).toBe(206);
    expect((await review.arrayBuffer()).byteLength).toBe(10);

    const shows = await (await call(listShows, { path: "/api/v1/shows", cookie: alice })).json();
    expect(shows.shows).toHaveLength(1);
    show = shows.shows[0];
    expect(show).toMatchObject({ title: "alice's podcast", feedUrl: expect.stringMatching(/^http:\/\/podcasts\.test\/feeds\/[A-Za-z0-9_-]{32}$/) });
  });

  it("keeps the person's edits at review, sanitising the notes and refusing what is not valid", async () => {
    const id = ids[0];
    const bad = await call(patchEpisode, { path: `/api/v1/episodes/${id}`, method: "PATCH", cookie: alice, params: { id }, ...json({ chapters: [{ startTime: 60, title: "Too late" }], episodeType: "movie" }) });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.fields).toMatchObject({ episodeType: expect.any(String) });
    const late = await call(patchEpisode, { path: `/api/v1/episodes/${id}`, method: "PATCH", cookie: alice, params: { id }, ...json({ chapters: [{ startTime: 0, title: "Intro" }, { startTime: 60, title: "Too late" }] }) });
    expect(late.status).toBe(422);

    const res = await call(patchEpisode, {
      path: `/api/v1/episodes/${id}`,
      method: "PATCH",
      cookie: alice,
      params: { id },
      ...json({
        title: TITLE,
        summary: "Trains, tea & the weather.",
        showNotes: `<p>Links <a href="https://example.com/tea">tea</a></p><script>alert("x")</script><img src=x onerror=alert(1)>`,
        keywords: ["trains", "Tea", "tea", "weather"],
        chapters: [
          { startTime: 0, title: "Intro" },
          { startTime: 5.5, title: "Trains & tea" },
        ],
        season: 1,
        episode: 2,
        explicit: false,
        episodeType: "full",
      }),
    });
    expect(res.status).toBe(200);
    const edited: EpisodeDetail = await res.json();
    expect(edited).toMatchObject({ title: TITLE, season: 1, episodeNumber: 2, keywords: ["trains", "Tea", "weather"], chapters: [{ startTime: 0, title: "Intro" }, { startTime: 5.5, title: "Trains & tea" }] });
    expect(edited.showNotes).toContain('href="https://example.com/tea"');
    expect(edited.showNotes).not.toMatch(/script|onerror|alert/);
  });

  it("publishes: an MP3 at −16 LUFS with ID3 tags, and a feed a podcast app accepts", { timeout: 180_000 }, async () => {
    const id = ids[0];
    const res = await act(publish, "publish", alice, id);
    expect(res.status).toBe(202);
    const updates = await follow(alice, [id]);
    expect(updates.at(-1)!.status).toBe("published");
    expect(updates.some((u) => u.stepLabel === "Encoding the MP3" && u.status === "publishing")).toBe(true);

    const ep = await detail(alice, id);
    expect(ep).toMatchObject({ status: "published", inFeed: true, progress: 1, notifyError: null, canUnpublish: true });
    expect(ep.urls.audio).toMatch(new RegExp(`^${show.feedUrl}/${id}/g0/episode\\.mp3$`));
    expect(ep.urls.chapters).toMatch(/chapters\.json$/);
    expect(ep.urls.transcriptVtt).toBeNull();

    const row = await db().episode.findUniqueOrThrow({ where: { id } });
    const mp3 = objectPath(row.audioKey!);
    const stored = await storage().stat(row.audioKey!);
    expect(stored).toMatchObject({ contentType: "audio/mpeg", cacheControl: "public, max-age=31536000, immutable" });

    // Loudness as measured on the published file itself.
    const loud = await measureLoudness(mp3, { ffmpeg: "ffmpeg" });
    expect(Math.abs(loud.integratedLufs! - -16)).toBeLessThanOrEqual(1);
    expect(loud.truePeakDbtp!).toBeLessThanOrEqual(-1);
    const tags = await parseFile(mp3);
    expect(tags.common.title).toBe(TITLE);
    expect(tags.common.album).toBe("alice's podcast");
    expect(tags.format.sampleRate).toBe(44100);

    // The feed, as a podcast app fetches it.
    const feedRes = await feedCall(show.feedUrl);
    expect(feedRes.status).toBe(200);
    expect(feedRes.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    const etag = feedRes.headers.get("etag")!;
    const lastModified = feedRes.headers.get("last-modified")!;
    expect(etag).toBeTruthy();
    const xml = await feedRes.text();
    await xmllint(xml);
    const feed = parseFeed(xml)!;
    expect(feed).toMatchObject({ title: "alice's podcast", language: "en", explicit: false, guid: show.podcastGuid });
    expect(xml).toContain(`<atom:link href="${show.feedUrl}" rel="self" type="application/rss+xml"/>`);
    expect(xml).toContain("<itunes:email>alice@example.com</itunes:email>");
    expect(xml).toMatch(/<podcast:locked owner="alice@example\.com">yes<\/podcast:locked>/);
    expect(xml).toMatch(/<itunes:category text="Technology"\/>/);
    expect(feed.items).toHaveLength(1);
    const item = feed.items[0];
    expect(item.title).toBe(TITLE);
    expect(item.guid).toBe(id);
    expect(item.enclosure.url).toBe(ep.urls.audio);
    expect(item.enclosure.type).toBe("audio/mpeg");
    // The exact byte count of the stored file, and the duration ffprobe reads from it.
    expect(item.enclosure.length).toBe(stored!.size);
    expect(item.duration).toBe(Math.round(await ffprobeDuration(mp3)));
    expect(item.itunesSeason).toBe(1);
    expect(item.itunesEpisode).toBe(2);
    expect(item.itunesEpisodeType).toBe("full");
    expect(item.description).toContain("https://example.com/tea");
    expect(xml).not.toMatch(/<script|onerror/);
    expect(item.podcastChapters).toMatchObject({ url: ep.urls.chapters, type: "application/json+chapters" });
    expect(xml).toMatch(/<pubDate>\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000<\/pubDate>/);

    // A repeat with either validator is a 304.
    expect((await feedCall(show.feedUrl, { "if-none-match": etag })).status).toBe(304);
    expect((await feedCall(show.feedUrl, { "if-modified-since": lastModified })).status).toBe(304);

    // The audio as apps fetch it: HEAD for the length, ranges to seek.
    const head = await feedCall(ep.urls.audio!, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(stored!.size));
    expect(head.headers.get("accept-ranges")).toBe("bytes");
    expect(head.body).toBeNull();
    const partial = await feedCall(ep.urls.audio!, { range: "bytes=100-199" });
    expect(partial.status).toBe(206);
    expect(partial.headers.get("content-range")).toBe(`bytes 100-199/${stored!.size}`);
    const slice = Buffer.from(await partial.arrayBuffer());
    expect(slice.equals((await readFile(mp3)).subarray(100, 200))).toBe(true);
    const chapters = await feedCall(ep.urls.chapters!);
    expect(chapters.status).toBe(200);
    expect(chapters.headers.get("access-control-allow-origin")).toBe("*");
    expect(chapters.headers.get("content-type")).toContain("application/json+chapters");
    expect(await chapters.json()).toEqual({ version: "1.2.0", chapters: [{ startTime: 0, title: "Intro" }, { startTime: 5.5, title: "Trains & tea" }] });

    // What the app serves is only what the feed names.
    const source = row.sourceKey.split("/").slice(2).join("/");
    expect((await feedCall(`${show.feedUrl}/${source}`)).status).toBe(404);
    const metadata = (row.files as { metadata: string }).metadata.split("/").slice(2).join("/");
    expect((await feedCall(`${show.feedUrl}/${metadata}`)).status).toBe(404);
    expect((await feedCall(`${show.feedUrl}/${ids[1]}/g0/episode.mp3`)).status).toBe(404);
    const meta = JSON.parse(await readFile(objectPath((row.files as { metadata: string }).metadata), "utf8"));
    expect(meta).toMatchObject({ title: TITLE, transcript: null, transcript_unavailable_reason: NO_RECOGNISER, keywords: ["trains", "Tea", "weather"], model: "local" });
    expect(meta.duration_seconds).toBe(Math.round(await ffprobeDuration(mp3)));
  });

  it("publishes the second episode too, newest first in the feed", { timeout: 180_000 }, async () => {
    expect((await act(publish, "publish", alice, ids[1])).status).toBe(202);
    expect((await follow(alice, [ids[1]])).at(-1)!.status).toBe("published");
    // Publishing twice is refused.
    const again = await act(publish, "publish", alice, ids[1]);
    expect(again.status).toBe(409);
    const feed = parseFeed(await (await feedCall(show.feedUrl)).text())!;
    expect(feed.items.map((i) => i.guid)).toEqual([ids[1], ids[0]]);
    const row = await db().episode.findUniqueOrThrow({ where: { id: ids[1] } });
    // Stereo in, stereo 128 kbps out.
    expect((await parseFile(objectPath(row.audioKey!))).format).toMatchObject({ numberOfChannels: 2, bitrate: 128_000 });
  });

  it("edits a published episode: a new title is encoded and published again, the old files go", { timeout: 180_000 }, async () => {
    const id = ids[0];
    const before = await db().episode.findUniqueOrThrow({ where: { id } });
    const res = await call(patchEpisode, { path: `/api/v1/episodes/${id}`, method: "PATCH", cookie: alice, params: { id }, ...json({ title: "Trains, revisited" }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as EpisodeDetail).status).toBe("publishing");
    // While it runs, edits wait.
    const busy = await call(patchEpisode, { path: `/api/v1/episodes/${id}`, method: "PATCH", cookie: alice, params: { id }, ...json({ summary: "x" }) });
    if (busy.status !== 200) expect(busy.status).toBe(409);
    const updates = await follow(alice, [id]);
    expect(updates.at(-1)!.status).toBe("published");

    const after = await db().episode.findUniqueOrThrow({ where: { id } });
    expect(after.audioKey).not.toBe(before.audioKey);
    expect(after.publishedAt!.getTime()).toBe(before.publishedAt!.getTime());
    expect(await storage().stat(before.audioKey!)).toBeNull();
    expect((await parseFile(objectPath(after.audioKey!))).common.title).toBe("Trains, revisited");
    const feed = parseFeed(await (await feedCall(show.feedUrl)).text())!;
    expect(feed.items.find((i) => i.guid === id)!.title).toBe("Trains, revisited");
    // Only the feed changes for a summary: no new encode.
    const res2 = await call(patchEpisode, { path: `/api/v1/episodes/${id}`, method: "PATCH", cookie: alice, params: { id }, ...json({ summary: "Only the words changed." }) });
    expect(((await res2.json()) as EpisodeDetail).status).toBe("published");
    await expect.poll(async () => (await (await feedCall(show.feedUrl)).text()).includes("Only the words changed."), { timeout: 30_000 }).toBe(true);
    expect((await db().episode.findUniqueOrThrow({ where: { id } })).audioKey).toBe(after.audioKey);
  });

  it("refuses a text file named .mp3 at upload, saying what it looks like", async () => {
    const sent = await upload(alice, [{ name: "notes.mp3", bytes: Buffer.from("These are my show notes, not a recording.\n".repeat(20)) }]);
    expect(sent.status).toBe(415);
    expect(sent.body.error.message).toMatch(/notes\.mp3: This is not an audio file: it looks like a plain text file/);
  });

  it("refuses a recording over PODCAST_MAX_MINUTES at upload (422)", { timeout: 60_000 }, async () => {
    const long = await makeSilence(65, { format: "mp3" });
    const sent = await upload(alice, [{ name: "long.mp3", bytes: await readFile(long) }]);
    expect(sent.status).toBe(422);
    expect(sent.body.error.message).toMatch(/1 min 5 s; the limit is 1 minutes/);
  });

  it("says 'no speech found' for silence, and will not publish it", { timeout: 120_000 }, async () => {
    const quiet = await makeSilence(12, { format: "mp3" });
    const sent = await upload(alice, [{ name: "quiet.mp3", bytes: await readFile(quiet) }]);
    expect(sent.status).toBe(202);
    const id = sent.body.episodeId as string;
    expect((await follow(alice, [id])).at(-1)!.status).toBe("no_speech");
    expect(await detail(alice, id)).toMatchObject({ status: "no_speech", statusLabel: "No speech found", transcriptNote: NO_SPEECH, canPublish: false });
    const res = await act(publish, "publish", alice, id);
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toMatch(/No speech was found/);
  });

  it("answers 404 for someone else's episodes, shows, streams and files", async () => {
    const id = ids[0];
    const asBob = async (handler: typeof getEpisode, method: string, pathName: string, body?: unknown) =>
      (await call(handler, { path: pathName, method, cookie: bob, params: { id }, ...(body ? json(body) : {}) })).status;
    expect(await asBob(getEpisode, "GET", `/api/v1/episodes/${id}`)).toBe(404);
    expect(await asBob(patchEpisode, "PATCH", `/api/v1/episodes/${id}`, { title: "Mine now" })).toBe(404);
    expect(await asBob(deleteEpisode, "DELETE", `/api/v1/episodes/${id}`)).toBe(404);
    expect(await asBob(getProgress, "GET", `/api/v1/episodes/${id}/progress`)).toBe(404);
    expect(await asBob(episodeAudio, "GET", `/api/v1/episodes/${id}/audio`)).toBe(404);
    for (const [handler, action] of [[publish, "publish"], [resume, "resume"], [unpublish, "unpublish"]] as const) {
      expect((await act(handler, action, bob, id)).status).toBe(404);
    }
    expect((await call(episodeStream, { path: `/api/v1/episodes/stream?ids=${id}`, cookie: bob })).status).toBe(404);
    expect((await (await call(listEpisodes, { path: `/api/v1/episodes?ids=${id}`, cookie: bob })).json()).episodes).toEqual([]);
    expect((await call(getShow, { path: `/api/v1/shows/${show.id}`, cookie: bob, params: { id: show.id } })).status).toBe(404);
    expect((await call(rotateToken, { path: `/api/v1/shows/${show.id}/feed-token`, method: "POST", cookie: bob, params: { id: show.id } })).status).toBe(404);
    // Alice still sees hers, and the polling fallback answers with them.
    const mine = await (await call(listEpisodes, { path: `/api/v1/episodes?ids=${ids.join(",")}`, cookie: alice })).json();
    expect(mine.episodes.map((e: EpisodeView) => e.id).sort()).toEqual([...ids].sort());
  });

  it("unpublishes and deletes: out of the feed, files gone", { timeout: 120_000 }, async () => {
    const [first, second] = ids;
    const row = await db().episode.findUniqueOrThrow({ where: { id: second } });
    const res = await act(unpublish, "unpublish", alice, second);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ready_for_review", inFeed: false, canPublish: true });
    expect(await storage().stat(row.audioKey!)).toBeNull();
    await expect.poll(async () => parseFeed(await (await feedCall(show.feedUrl)).text())!.items.map((i) => i.guid), { timeout: 30_000 }).toEqual([first]);

    const doomed = await db().episode.findUniqueOrThrow({ where: { id: first } });
    const del = await call(deleteEpisode, { path: `/api/v1/episodes/${first}`, method: "DELETE", cookie: alice, params: { id: first } });
    expect(del.status).toBe(204);
    expect((await call(getEpisode, { path: `/api/v1/episodes/${first}`, cookie: alice, params: { id: first } })).status).toBe(404);
    expect(await storage().stat(doomed.audioKey!)).toBeNull();
    expect(await storage().stat(doomed.sourceKey)).toBeNull();
    await expect.poll(async () => parseFeed(await (await feedCall(show.feedUrl)).text())!.items.length, { timeout: 30_000 }).toBe(0);
  });

  it("makes one default show when an account's first requests arrive at once", async () => {
    const carol = await signUp("carol@example.com");
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => call(listShows, { path: "/api/v1/shows", cookie: carol })));
    const ids = new Set((await Promise.all(answers.map((r) => r.json()))).flatMap((b) => b.shows.map((s: ShowView) => s.id)));
    expect(ids.size).toBe(1);
  });

  it("rotating the feed token makes the old feed URL answer 404", async () => {
    const res = await call(rotateToken, { path: `/api/v1/shows/${show.id}/feed-token`, method: "POST", cookie: alice, params: { id: show.id } });
    expect(res.status).toBe(200);
    const rotated: ShowView = await res.json();
    expect(rotated.feedUrl).not.toBe(show.feedUrl);
    expect((await feedCall(show.feedUrl)).status).toBe(404);
    expect((await feedCall(rotated.feedUrl)).status).toBe(200);
    await expect.poll(async () => (await (await feedCall(rotated.feedUrl)).text()).includes(`href="${rotated.feedUrl}"`), { timeout: 30_000 }).toBe(true);
  });
});

describe("run times", () => {
  it("every run-shaped answer says when the episode's run started and when it completed", { timeout: 180_000 }, async () => {
    const before = Date.now();
    const speech = await makeSpeech("A short episode about when things start and when they end.", { format: "mp3", seconds: 5 });
    const sent = await upload(alice, [{ name: "times.mp3", bytes: await readFile(speech) }]);
    expect(sent.status).toBe(202);
    const id = sent.body.episodeId as string;
    const progressOf = async () => (await call(getProgress, { path: `/api/v1/episodes/${id}/progress`, cookie: alice, params: { id } })).json();

    // Waiting at review: started, not completed — live, in the detail and in the progress.
    const live = (await follow(alice, [id])).at(-1)!;
    expect(live.status).toBe("ready_for_review");
    expect(live.startedAt).toEqual(expect.any(String));
    expect(Date.parse(live.startedAt!)).toBeGreaterThanOrEqual(before - 1_000);
    expect(live.completedAt).toBeNull();
    for (const answer of [await detail(alice, id), await progressOf()]) {
      expect(answer).toMatchObject({ startedAt: live.startedAt, completedAt: null });
    }

    expect((await act(publish, "publish", alice, id)).status).toBe(202);
    const published = (await follow(alice, [id])).at(-1)!;
    expect(published.status).toBe("published");
    // Started once: publishing does not move the start.
    expect(published.startedAt).toBe(live.startedAt);
    expect(Date.parse(published.completedAt!)).toBeGreaterThan(Date.parse(published.startedAt!));

    const one = await detail(alice, id);
    const listed = ((await (await call(listEpisodes, { path: "/api/v1/episodes", cookie: alice })).json()).episodes as EpisodeView[]).find((e) => e.id === id)!;
    const runId = (await db().episode.findUniqueOrThrow({ where: { id } })).runId;
    const history = await (await call(getRunAdmin, { path: `/api/admin/workflow-runs/${runId}`, cookie: alice, params: { id: runId } })).json(); // alice: the first account, an admin
    for (const answer of [one, listed, await progressOf(), history.run]) {
      expect(answer).toMatchObject({ startedAt: published.startedAt, completedAt: published.completedAt });
    }
  });
});
