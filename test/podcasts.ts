// Episodes for tests that need one without running the podcast pipeline (deleting an
// account): the rows and stored files a published episode has, written directly.
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { feedKey, publishedKey, sourceKey } from "@/lib/podcasts/keys";
import { EPISODE_KIND, EPISODE_PLAN } from "@/lib/podcasts/plan";
import { ensureDefaultShow } from "@/lib/podcasts/shows";
import { storage } from "@/lib/storage/instance";
import { createRun } from "@/lib/workflow/repository";

/** A published episode in the owner's first show, as the pipeline leaves it: recording, MP3, transcript, the show's feed. */
export async function publishedEpisode(ownerEmail: string) {
  const owner = await db().user.findUniqueOrThrow({ where: { email: ownerEmail } });
  const show = await ensureDefaultShow(db(), owner, env().APP_URL);
  const id = randomUUID();
  const run = await createRun(db(), EPISODE_PLAN, { kind: EPISODE_KIND, ownerId: owner.id, input: { episodeId: id }, autoProgressSteps: false, autoProgressPhases: false });
  await db().workflowRun.update({ where: { id: run.id }, data: { status: "completed", completedAt: new Date() } });
  const keys = {
    source: sourceKey(show.id, id, "wav"),
    audio: publishedKey(show.id, id, 0, "audio"),
    transcript: publishedKey(show.id, id, 0, "vtt"),
    feed: feedKey(show.id, 1),
  };
  const recording = Buffer.from("not really a recording, but bytes one would keep");
  const mp3 = Buffer.from("not really an mp3");
  await storage().putBuffer(keys.source, recording, "audio/wav");
  await storage().putBuffer(keys.audio, mp3, "audio/mpeg");
  await storage().putBuffer(keys.transcript, Buffer.from("WEBVTT\n"), "text/vtt");
  await storage().putBuffer(keys.feed, Buffer.from("<rss/>"), "application/rss+xml");
  await db().episode.create({
    data: {
      id,
      ownerId: owner.id,
      showId: show.id,
      runId: run.id,
      originalName: "interview.wav",
      title: "Interview",
      sourceKey: keys.source,
      sourceMime: "audio/wav",
      sourceBytes: BigInt(recording.length),
      audioKey: keys.audio,
      audioBytes: BigInt(mp3.length),
      files: { vtt: keys.transcript },
      durationSec: 3,
      publishedAt: new Date(),
    },
  });
  await db().show.update({ where: { id: show.id }, data: { feedVersion: 1 } });
  return { id, showId: show.id, runId: run.id, keys };
}
