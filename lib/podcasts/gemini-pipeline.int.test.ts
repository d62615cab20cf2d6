// An episode understood by Gemini audio (the real SDK against the Gemini stub on
// 127.0.0.1) through the whole pipeline on an auto-publishing show: the model's title,
// notes, keywords, chapters and speaker-labelled transcript reach the episode, and the
// published feed names WebVTT, SRT and JSON transcripts and chapters that listeners' apps
// can fetch, with the voices and times the model gave.
import { readFile } from "node:fs/promises";
import type { Redis } from "ioredis";
import { parseFeed } from "podcast-partytime";
import { afterAll, beforeAll, expect, it } from "vitest";
import { GET as getEpisode } from "@/app/api/v1/episodes/[id]/route";
import { POST as createEpisodes } from "@/app/api/v1/episodes/route";
import { GET as episodeStream } from "@/app/api/v1/episodes/stream/route";
import { PATCH as patchShow } from "@/app/api/v1/shows/[id]/route";
import { GET as listShows } from "@/app/api/v1/shows/route";
import { GET as publicFile } from "@/app/feeds/[token]/[...path]/route";
import { GET as feedRoute } from "@/app/feeds/[token]/route";
import { createRedis } from "@/lib/redis";
import { geminiContent, geminiJson, startAiStub, type AiStub } from "@/test/ai-stubs";
import { makeSpeech } from "@/test/audio";
import { call, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import type { EpisodeDetail, EpisodeView, ShowView } from "./view";

let stub: AiStub;
let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let alice: string;

const REPLY = {
  language: "en",
  transcript: [
    { start: "00:00", end: "00:03", speaker: "Ada", text: "Hello and welcome to the harbour show." },
    { start: "00:03", end: "00:07", speaker: "Ben", text: "Today: boats, <knots> & the tide." },
    { start: "00:07", end: "00:10", speaker: "Ada", text: "Let's begin." },
  ],
  chapters: [
    { startTime: "00:00", title: "Welcome" },
    { startTime: "00:07", title: "Boats & knots" },
  ],
  title: "Boats, knots & tides",
  summary: "Ada and Ben talk about boats.",
  showNotes: "<p>Knots we tie: <b>bowline</b>.</p><script>alert(1)</script>",
  keywords: ["boats", "knots"],
};

beforeAll(async () => {
  stub = await startAiStub("gemini");
  stub.fallback = () => geminiJson(REPLY, { input: 900, output: 200 });
  iso = await isolate({ APP_URL: "http://gemini.test", GEMINI_API_KEY: "test-key", GEMINI_BASE_URL: stub.baseUrl });
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), { concurrency: 2, log: () => {} });
  alice = await signUp("alice@example.com");
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
  await stub?.close();
});

/** A public file by its URL, as a listener's app fetches it. */
async function fetchPublic(url: string): Promise<Response> {
  const [, , token, ...rest] = new URL(url).pathname.split("/");
  return call(publicFile, { path: new URL(url).pathname, params: { token, path: rest as unknown as string } });
}

it("publishes what Gemini heard: transcript with speakers, chapters and notes, in the feed and its files", { timeout: 180_000 }, async () => {
  const show: ShowView = (await (await call(listShows, { path: "/api/v1/shows", cookie: alice })).json()).shows[0];
  const edited = await call(patchShow, { path: `/api/v1/shows/${show.id}`, method: "PATCH", cookie: alice, params: { id: show.id }, body: JSON.stringify({ autoPublish: true }), headers: { "content-type": "application/json" } });
  expect(edited.status).toBe(200);

  const speech = await makeSpeech("Hello and welcome to the harbour show. Today, boats, knots and the tide. Let's begin.", { format: "mp3", seconds: 10 });
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(await readFile(speech))], { type: "audio/mpeg" }), "harbour.mp3");
  const sent = await call(createEpisodes, { path: "/api/v1/episodes", method: "POST", cookie: alice, body: form });
  expect(sent.status).toBe(202);
  const { episodeId: id } = await sent.json();
  const updates = (await readSse(await call(episodeStream, { path: `/api/v1/episodes/stream?ids=${id}`, cookie: alice }))).filter((m) => m.event === "episode").map((m) => m.data as EpisodeView);
  expect(updates.at(-1)!.status).toBe("published");
  // Auto-publish went straight on: the review gate was never a stop.
  expect(updates.some((u) => u.status === "ready_for_review")).toBe(false);

  // The audio itself went to the model, once.
  const calls = stub.requests.map((r) => geminiContent(r)).filter(Boolean);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.inline[0].mimeType).toMatch(/^audio\//);

  const ep: EpisodeDetail = await (await call(getEpisode, { path: `/api/v1/episodes/${id}`, cookie: alice, params: { id } })).json();
  expect(ep).toMatchObject({
    title: "Boats, knots & tides",
    summary: "Ada and Ben talk about boats.",
    keywords: ["boats", "knots"],
    model: "gemini:gemini-2.5-flash",
    transcriptNote: null,
    chapters: [
      { startTime: 0, title: "Welcome" },
      { startTime: 7, title: "Boats & knots" },
    ],
    transcript: [
      { start: 0, end: 3, speaker: "Ada", text: "Hello and welcome to the harbour show." },
      { start: 3, end: 7, speaker: "Ben", text: "Today: boats, <knots> & the tide." },
      { start: 7, end: 10, speaker: "Ada", text: "Let's begin." },
    ],
  });
  expect(ep.showNotes).toBe("<p>Knots we tie: <b>bowline</b>.</p>");

  const token = ep.feed.url.split("/").pop()!;
  const xml = await (await call(feedRoute, { path: `/feeds/${token}`, params: { token } })).text();
  const item = parseFeed(xml)!.items[0];
  expect(item.podcastTranscripts?.map((t) => [t.type, t.url])).toEqual([
    ["text/vtt", ep.urls.transcriptVtt],
    // (the parser names application/x-subrip by its own enum)
    ["application/srt", ep.urls.transcriptSrt],
    ["application/json", ep.urls.transcriptJson],
  ]);
  expect(xml).toContain(`<podcast:transcript url="${ep.urls.transcriptSrt}" type="application/x-subrip" language="en" rel="captions"/>`);
  expect(item.podcastChapters?.url).toBe(ep.urls.chapters);
  expect(item.keywords).toEqual(["boats", "knots"]);

  const vtt = await fetchPublic(ep.urls.transcriptVtt!);
  expect(vtt.headers.get("content-type")).toBe("text/vtt; charset=utf-8");
  expect(vtt.headers.get("access-control-allow-origin")).toBe("*");
  expect(await vtt.text()).toBe(
    "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\n<v Ada>Hello and welcome to the harbour show.\n\n" +
      "00:00:03.000 --> 00:00:07.000\n<v Ben>Today: boats, &lt;knots&gt; &amp; the tide.\n\n00:00:07.000 --> 00:00:10.000\n<v Ada>Let's begin.\n",
  );
  expect(await (await fetchPublic(ep.urls.transcriptSrt!)).text()).toContain("2\n00:00:03,000 --> 00:00:07,000\nBen: Today: boats, <knots> & the tide.\n");
  expect(await (await fetchPublic(ep.urls.transcriptJson!)).json()).toMatchObject({ version: "1.0.0", segments: [{ speaker: "Ada", startTime: 0, endTime: 3 }, {}, {}] });
  expect(await (await fetchPublic(ep.urls.chapters!)).json()).toEqual({ version: "1.2.0", chapters: [{ startTime: 0, title: "Welcome" }, { startTime: 7, title: "Boats & knots" }] });
});
