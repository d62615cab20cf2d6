// generate_podcast: the source text becomes a script, a voice reads it — Gemini TTS when the
// provider chain picks a provider that offers speech (`say`), espeak-ng without a key or
// when that provider cannot answer — and the WAV enters the podcast pipeline through the
// same ingest as a stored upload (POST /api/v1/episodes { storageKey }), so the episode is
// probed, understood and reviewed like any other.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { ingestStoredAudio, showForUpload } from "@/lib/podcasts/episodes";
import { ingestPrefix } from "@/lib/podcasts/keys";
import { geminiVoice } from "@/lib/ai/gemini-text";
import { buildScript, chooseVoice, DEFAULT_VOICE, espeakSpeak, pcmSpeak, wavDurationSeconds, type SayPcm, type Speak } from "@/lib/podcasts/speech";
import { storage } from "@/lib/storage/instance";
import { throwIfAborted, type JobOutcome } from "./generate";
import { podcastSource, type RunDeps } from "./run";
import type { GeneratePodcastPayload, GeneratePodcastResult } from "./types";

export interface PodcastJobDeps extends Pick<RunDeps, "signal" | "fetch"> {
  db: Db;
  jobId: string;
  ownerId: string;
  /** Reports the job's progress in percent (page fetched 12 and read 16, script 20, speech 20 → 60 piece by piece, stored 80). */
  progress?: (percent: number) => Promise<void>;
  /** A provider's voice (the chain's speech), piece by piece; absent → espeak-ng. */
  say?: (text: string, voice: string | undefined, signal?: AbortSignal) => ReturnType<SayPcm>;
  /** The voice, replacing both (tests). */
  speak?: Speak;
}

/**
 * The speech's object in the owner's incoming folder, named after the job: a second attempt
 * of the same job finds the episode the first one made instead of making another.
 */
export const generatedAudioKey = (ownerId: string, jobId: string) => `${ingestPrefix(ownerId)}generated/${jobId}.wav`;

export async function generatePodcast(payload: GeneratePodcastPayload, deps: PodcastJobDeps): Promise<JobOutcome<GeneratePodcastResult>> {
  const owner = await deps.db.user.findUnique({ where: { id: deps.ownerId }, select: { id: true, email: true, isAdmin: true } });
  if (!owner) throw new NotFoundError("The job's owner");
  const user = { ...owner, sessionId: null };
  const key = generatedAudioKey(owner.id, deps.jobId);

  const earlier = await deps.db.episode.findFirst({ where: { ownerId: owner.id, ingestKey: key }, select: { id: true, title: true, durationSec: true } });
  // Nothing is spoken this time: the episode an earlier attempt made is the answer.
  if (earlier) return done(earlier.id, earlier.title ?? "", earlier.durationSec ?? undefined, "local");

  // The show first: a wrong showId is refused before any work (NotFound, like a missing one).
  const show = await showForUpload(user, payload.showId);
  // A Gemini voice name ("Kore") is the provider's to use; espeak-ng then reads in its default voice.
  const voice = geminiVoice(payload.voice) ? DEFAULT_VOICE : await chooseVoice(payload.voice);
  const source = await podcastSource(payload, deps, { fetched: 12, ready: 16 });
  const script = buildScript(source, "text" in payload ? "payload.text" : "payload.url");
  await deps.progress?.(20);

  const dir = await mkdtemp(path.join(os.tmpdir(), "framecast-speech-"));
  try {
    const wav = path.join(dir, "speech.wav");
    const say = deps.say;
    const speak = deps.speak ?? (say ? pcmSpeak((text, signal) => say(text, payload.voice, signal), espeakSpeak()) : espeakSpeak());
    const spoken = await speak(script, wav, {
      voice,
      signal: deps.signal,
      progress: async (doneCount, total) => deps.progress?.(20 + Math.floor((40 * doneCount) / total)),
    });
    throwIfAborted(deps.signal);
    const durationSeconds = await wavDurationSeconds(wav);
    await storage().putFile(key, wav, "audio/wav");
    await deps.progress?.(80);
    const created = await ingestStoredAudio(user, { storageKey: key, showId: show.id }, { title: script.title });
    return done(created.episodeId, script.title, durationSeconds, spoken.provider);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function done(episodeId: string, title: string, durationSeconds: number | undefined, provider: string): JobOutcome<GeneratePodcastResult> {
  return { result: { episodeId, title, ...(durationSeconds !== undefined ? { durationSeconds } : {}) }, provider };
}
