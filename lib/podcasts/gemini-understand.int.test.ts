// The understand step with a Gemini key, against the real SDK and a Gemini stub on
// 127.0.0.1 (generateContent and the Files API), real ffmpeg cutting real espeak-ng speech,
// and the circuit in the real Redis. The stub answers each piece with times relative to
// that piece, as Gemini does; the assertions are on what the episode ends up with.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCircuit, type Circuit } from "@/lib/ai/circuit";
import { AiError } from "@/lib/ai/errors";
import { MALFORMED_REPLY_MESSAGE } from "@/lib/ai/gemini-errors";
import { runCapture } from "@/lib/ffmpeg/run";
import { geminiContent, geminiJson, quotaExhausted, rateLimited, startAiStub, type AiStub, type StubAnswer, type StubRequest } from "@/test/ai-stubs";
import { audioDir, makeSpeech } from "@/test/audio";
import { understandWithGemini, type GeminiUnderstandOptions } from "./gemini-understand";
import { createGeminiUnderstand } from "./gemini-understander";

let stub: AiStub;
let redisA: Redis;
let redisB: Redis;
let short: string;
let long: string;
const prefix = `fctest-gemini-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  stub = await startAiStub("gemini");
  redisA = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  redisB = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  short = await makeSpeech("Hello and welcome to the show. Today we talk about boats.", { format: "mp3" });
  long = await makeSpeech("This is a long recording about boats, trains and the sea, spoken slowly.", { seconds: 180, format: "mp3" });
}, 60_000);
afterAll(async () => {
  await stub?.close();
  const keys = await redisA.keys(`${prefix}:*`);
  if (keys.length) await redisA.del(...keys);
  await redisA?.quit();
  await redisB?.quit();
});
beforeEach(async () => {
  stub.reset();
  await circuit(redisA).reset("gemini");
});

const circuit = (redis: Redis): Circuit => createCircuit({ redis, prefix, openMs: 60_000 });

const options = (over: Partial<GeminiUnderstandOptions> = {}): GeminiUnderstandOptions => ({
  apiKey: "test-key",
  model: "gemini-2.5-flash",
  baseUrl: stub.baseUrl,
  timeoutMs: 10_000,
  durationSeconds: 4,
  mime: "audio/mpeg",
  retryPauseMs: 100,
  filePollMs: 20,
  circuit: circuit(redisA),
  fileName: "ep-1.mp3",
  ...over,
});

const EPISODE = {
  language: "en",
  transcript: [
    { start: "00:00", end: "00:02", speaker: "Ada", text: "Hello and welcome to the show." },
    { start: "00:02", end: "00:04", speaker: "Ada", text: "Today we talk about boats." },
  ],
  chapters: [],
  title: "Boats",
  summary: "Ada welcomes listeners and talks about boats.",
  showNotes: "<p>Boats.</p>",
  keywords: ["boats", "show"],
};
const episodeReply = geminiJson(EPISODE, { input: 1200, output: 300 });
const generateCalls = () => stub.requests.filter((r) => geminiContent(r));

async function probeAudio(data: Buffer): Promise<{ codec: string; channels: number; rate: number; seconds: number }> {
  const file = path.join(audioDir(), `sent-${randomBytes(4).toString("hex")}.bin`);
  await writeFile(file, data);
  const { stdout } = await runCapture("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,channels,sample_rate:format=duration", "-of", "json", file]);
  const p = JSON.parse(stdout) as { streams: { codec_name: string; channels: number; sample_rate: string }[]; format: { duration: string } };
  return { codec: p.streams[0].codec_name, channels: p.streams[0].channels, rate: Number(p.streams[0].sample_rate), seconds: Number(p.format.duration) };
}

describe("understandWithGemini", () => {
  it("a structured reply becomes the episode's texts, chapters and a timed transcript with speakers", async () => {
    stub.fallback = () => episodeReply;
    const u = await understandWithGemini(short, options());
    expect(u).toEqual({
      title: "Boats",
      summary: "Ada welcomes listeners and talks about boats.",
      showNotes: "<p>Boats.</p>",
      keywords: ["boats", "show"],
      chapters: [],
      transcript: [
        { start: 0, end: 2, speaker: "Ada", text: "Hello and welcome to the show." },
        { start: 2, end: 4, speaker: "Ada", text: "Today we talk about boats." },
      ],
      transcriptUnavailableReason: null,
      language: "en",
      model: "gemini:gemini-2.5-flash",
      noSpeech: false,
      usage: { inputTokens: 1200, outputTokens: 300 },
    });
    // One request: the MP3 as uploaded, inline, with the schema.
    const [call] = generateCalls().map((r) => geminiContent(r)!);
    expect(generateCalls()).toHaveLength(1);
    expect(call.model).toBe("gemini-2.5-flash");
    expect(call.inline).toHaveLength(1);
    expect(call.inline[0].mimeType).toBe("audio/mp3");
    expect(call.responseSchema).toMatchObject({ required: expect.arrayContaining(["transcript", "chapters", "title"]) });
    expect(stub.requests[0].headers["x-goog-api-key"]).toBe("test-key");
  });

  it("plugs into the understand step's chooser: (input, config) with the step's fields", async () => {
    stub.fallback = () => episodeReply;
    const understand = createGeminiUnderstand({ circuit: circuit(redisA) });
    const u = await understand(
      { file: short, fileName: "ep-1.mp3", mime: "audio/mpeg", durationSeconds: 4, language: "en" },
      { apiKey: "test-key", model: "gemini-2.5-flash", baseUrl: stub.baseUrl, timeoutMs: 30_000 },
    );
    expect(u).toMatchObject({ title: "Boats", model: "gemini:gemini-2.5-flash", transcript: [{ start: 0 }, { start: 2 }] });
    expect(geminiContent(generateCalls()[0])!.prompt).toContain("The show's language is en");
  });

  it("an empty transcript is 'no speech', and an empty title falls back to the file name, never made up", async () => {
    stub.fallback = () => geminiJson({ ...EPISODE, transcript: [], title: "", summary: "", showNotes: "", keywords: [] });
    const u = await understandWithGemini(short, options({ fileName: "the-harbour_talk (1).mp3" }));
    expect(u).toMatchObject({ title: "The harbour talk", summary: null, showNotes: null, keywords: [], transcript: null, noSpeech: true, transcriptUnavailableReason: "Gemini heard no speech in this recording." });
  });

  it("a long recording: overlapping pieces, merged with the right offsets, the overlap once, speakers kept", async () => {
    // The "speech": sentence k runs from 5k to 5k+4 s; even ones are the host's. Each piece
    // reports the sentences it fully hears, at times relative to its own start; the third
    // piece calls the two voices by each other's labels.
    const starts = [0, 42.5, 85, 127.5];
    const ends = [52.5, 95, 137.5, 180];
    const rel = (s: number) => `${String(Math.floor(s / 60)).padStart(2, "0")}:${(s % 60).toFixed(1).padStart(4, "0")}`;
    let piece = 0;
    stub.fallback = (req: StubRequest): StubAnswer => {
      const call = geminiContent(req)!;
      if (call.inline.length === 0) {
        return geminiJson({ title: "Thirty-six sentences", summary: "Host and guest take turns.", showNotes: "<ul><li>Sentences</li></ul>", keywords: ["sentences", "boats"] });
      }
      const i = piece++;
      const swap = i === 2;
      const transcript = [];
      for (let k = 0; 5 * k + 4 <= 180; k++) {
        if (5 * k < starts[i] || 5 * k + 4 > ends[i]) continue;
        const host = k % 2 === 0 !== swap;
        transcript.push({ start: rel(5 * k - starts[i]), end: rel(5 * k + 4 - starts[i]), speaker: host ? "Host" : "Guest", text: `Sentence ${k} about boats.` });
      }
      const chapters = [
        { startTime: "00:00", title: `Part ${i}` },
        { startTime: rel(20), title: `Topic ${i}` },
      ];
      return geminiJson({ language: "en", transcript, chapters, title: `Piece ${i}`, summary: `Piece ${i} summary.`, showNotes: "", keywords: [`piece ${i}`] });
    };
    const progress: number[] = [];
    const u = await understandWithGemini(long, options({ durationSeconds: 180, chunkSeconds: 60, overlapSeconds: 10, onProgress: (f) => progress.push(f) }));

    const expected = Array.from({ length: 36 }, (_, k) => ({ start: 5 * k, end: 5 * k + 4, speaker: k % 2 === 0 ? "Host" : "Guest", text: `Sentence ${k} about boats.` }));
    expect(u.transcript).toEqual(expected);
    expect(u.chapters).toEqual([
      { startTime: 0, title: "Part 0" },
      { startTime: 20, title: "Topic 0" },
      { startTime: 62.5, title: "Topic 1" },
      { startTime: 105, title: "Topic 2" },
      { startTime: 147.5, title: "Topic 3" },
    ]);
    expect(u).toMatchObject({ title: "Thirty-six sentences", summary: "Host and guest take turns.", keywords: ["sentences", "boats"], language: "en", noSpeech: false });

    // Four pieces of 52.5 s of real audio, cut and re-encoded mono 16 kHz MP3, then one text-only call.
    const calls = generateCalls().map((r) => geminiContent(r)!);
    expect(calls).toHaveLength(5);
    for (const call of calls.slice(0, 4)) {
      expect(call.inline[0].mimeType).toBe("audio/mp3");
      const sent = await probeAudio(call.inline[0].data);
      expect(sent).toMatchObject({ codec: "mp3", channels: 1, rate: 16000 });
      expect(sent.seconds).toBeCloseTo(52.5, 0);
    }
    expect(calls[1].prompt).toContain("part 2 of 4");
    expect(calls[1].prompt).toMatch(/Speakers so far: Host, Guest/);
    // The text-only call reads the merged transcript in the recording's time.
    expect(calls[4].inline).toHaveLength(0);
    expect(calls[4].prompt).toContain("[00:45] Guest: Sentence 9 about boats.");
    expect(calls[4].prompt).toContain("[02:55] Guest: Sentence 35 about boats.");
    expect(u.usage).toEqual({ inputTokens: 50, outputTokens: 25 });
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  }, 60_000);

  it("when the text-only call fails, the pieces' own texts are used and nothing heard is lost", async () => {
    let piece = 0;
    stub.fallback = (req) => {
      const call = geminiContent(req)!;
      if (call.inline.length === 0) return { status: 400, json: { error: { code: 400, status: "INVALID_ARGUMENT", message: "Request too large." } } };
      const i = piece++;
      return geminiJson({ ...EPISODE, title: `Piece ${i}`, summary: `Piece ${i} is about boats.`, keywords: ["boats"] });
    };
    const u = await understandWithGemini(long, options({ durationSeconds: 180, chunkSeconds: 100, overlapSeconds: 10 }));
    expect(u).toMatchObject({ title: "Piece 0", summary: "Piece 0 is about boats. Piece 1 is about boats.", keywords: ["boats"] });
    expect(u.transcript!.length).toBeGreaterThan(0);
  }, 60_000);

  it("a piece too large to go inline goes through the Files API, and the file is deleted afterwards", async () => {
    stub.files.processingPolls = 2;
    stub.fallback = () => episodeReply;
    const u = await understandWithGemini(short, options({ inlineMaxBytes: 1_000 }));
    expect(u.title).toBe("Boats");

    const [file] = stub.files.uploaded;
    expect(file.mimeType).toBe("audio/mp3");
    // What was uploaded is the compact copy of the recording.
    expect(await probeAudio(file.data)).toMatchObject({ codec: "mp3", channels: 1, rate: 16000 });
    const call = geminiContent(generateCalls()[0])!;
    expect(call.inline).toHaveLength(0);
    expect(call.files).toEqual([{ fileUri: file.uri, mimeType: "audio/mp3" }]);
    // Upload started, bytes sent, polled until ACTIVE, used, then deleted.
    const steps = stub.requests.map((r) => `${r.method} ${r.path.replace(/\?.*$/, "").replace(/files\/\w+/, "files/X")}${r.headers["x-goog-upload-command"] ? ` (${r.headers["x-goog-upload-command"]})` : ""}`);
    expect(steps).toEqual([
      "POST /upload/v1beta/files (start)",
      "POST /upload/v1beta/files (upload, finalize)",
      "GET /v1beta/files/X",
      "GET /v1beta/files/X",
      "GET /v1beta/files/X",
      "POST /v1beta/models/gemini-2.5-flash:generateContent",
      "DELETE /v1beta/files/X",
    ]);
    expect(stub.files.deleted).toEqual([file.name]);
    expect(stub.files.live.size).toBe(0);
  });

  it("the uploaded file is deleted when Gemini fails too", async () => {
    stub.files.processingPolls = 0;
    stub.fallback = () => ({ status: 500, json: { error: { code: 500, status: "INTERNAL", message: "Internal error." } } });
    await expect(understandWithGemini(short, options({ inlineMaxBytes: 1_000 }))).rejects.toMatchObject({ kind: "transient", message: expect.stringContaining("HTTP 500") });
    // The request was retried once on the same upload, not uploaded again.
    expect(stub.files.uploaded).toHaveLength(1);
    expect(generateCalls()).toHaveLength(2);
    expect(stub.files.live.size).toBe(0);
  });

  it("abort while Gemini prepares an upload: the run stops and the file is still deleted", async () => {
    stub.files.processingPolls = 1_000;
    stub.fallback = () => episodeReply;
    const controller = new AbortController();
    const run = understandWithGemini(short, options({ inlineMaxBytes: 1_000, signal: controller.signal })).catch((e: unknown) => e);
    while (!stub.requests.some((r) => r.method === "GET")) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    expect(await run).toMatchObject({ kind: "transient", message: expect.stringMatching(/cancelled/) });
    expect(generateCalls()).toHaveLength(0);
    expect(stub.files.uploaded).toHaveLength(1);
    expect(stub.files.live.size).toBe(0);
  });

  it("a malformed reply is asked again once; twice malformed fails as transient", async () => {
    stub.reply({ status: 200, json: { candidates: [{ content: { role: "model", parts: [{ text: "Sure! Here is a summary of the episode." }] }, finishReason: "STOP" }] } }, episodeReply);
    await expect(understandWithGemini(short, options())).resolves.toMatchObject({ title: "Boats" });
    expect(generateCalls()).toHaveLength(2);

    stub.reset();
    stub.fallback = () => geminiJson({ title: "No transcript here" });
    const err = (await understandWithGemini(short, options()).catch((e: unknown) => e)) as AiError;
    expect(err).toBeInstanceOf(AiError);
    expect(err).toMatchObject({ kind: "transient", message: MALFORMED_REPLY_MESSAGE });
    expect(generateCalls()).toHaveLength(2);
  });

  it("500 then success: retried once after a pause", async () => {
    stub.reply({ status: 500, json: { error: { code: 500, status: "INTERNAL", message: "Internal error." } } }, episodeReply);
    await expect(understandWithGemini(short, options({ retryPauseMs: 300 }))).resolves.toMatchObject({ title: "Boats" });
    const [first, second] = generateCalls();
    expect(second.at - first.endedAt!).toBeGreaterThanOrEqual(300);
  });

  it("429 with retryDelay: waits Gemini's delay, and every worker holds off through the circuit", async () => {
    stub.reply(rateLimited("gemini", 1), episodeReply);
    await expect(understandWithGemini(short, options())).resolves.toMatchObject({ title: "Boats" });
    const [first, second] = generateCalls();
    expect(second.at - first.endedAt!).toBeGreaterThanOrEqual(1_000);

    // A delay longer than this run may wait: rate limited with Gemini's delay, and another
    // worker (its own Redis connection) does not send anything until the delay has passed.
    stub.reset();
    stub.reply(rateLimited("gemini", 2));
    stub.fallback = () => episodeReply;
    await expect(understandWithGemini(short, options({ maxRateLimitWaitMs: 500 }))).rejects.toMatchObject({ kind: "rate_limited", retryAfterMs: 2_000 });
    const limitedAt = stub.requests[0].endedAt!;
    const held = (await understandWithGemini(short, options({ circuit: circuit(redisB), maxRateLimitWaitMs: 500 })).catch((e: unknown) => e)) as AiError;
    expect(held).toMatchObject({ kind: "rate_limited" });
    expect(held.retryAfterMs).toBeGreaterThan(0);
    expect(held.retryAfterMs).toBeLessThanOrEqual(2_000);
    expect(stub.requests).toHaveLength(1);
    // A worker allowed to wait that long waits out the rest of the delay, then sends.
    await expect(understandWithGemini(short, options({ circuit: circuit(redisB) }))).resolves.toMatchObject({ title: "Boats" });
    expect(stub.requests[1].at - limitedAt).toBeGreaterThanOrEqual(2_000);
  }, 20_000);

  it("the daily quota fails at once, without retrying", async () => {
    stub.reply(quotaExhausted("gemini"));
    await expect(understandWithGemini(short, options())).rejects.toMatchObject({ kind: "quota_exhausted" });
    expect(stub.requests).toHaveLength(1);
  });

  it("abort: the request to Gemini is closed at once and the run says it was cancelled", async () => {
    stub.reply("hang");
    const controller = new AbortController();
    const run = understandWithGemini(short, options({ signal: controller.signal, timeoutMs: 30_000 })).catch((e: unknown) => e);
    while (stub.inFlight === 0) await new Promise((r) => setTimeout(r, 10));
    const closed = stub.nextAbort();
    const abortedAt = Date.now();
    controller.abort();
    const err = (await run) as AiError;
    expect(err).toBeInstanceOf(AiError);
    expect(err.message).toMatch(/cancelled/);
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    expect((await closed).aborted).toBe(true);
  });
});
