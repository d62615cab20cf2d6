// Vlogs for tests that need one without rendering it (deleting photos, deleting an account):
// the rows and stored files a finished render leaves, written directly.
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { storage } from "@/lib/storage/instance";
import { VLOG_KIND, VLOG_PLAN } from "@/lib/vlogs/plan";
import { renderKeys } from "@/lib/vlogs/render-plan";
import type { StoryboardDoc } from "@/lib/vlogs/storyboard";
import { createRun } from "@/lib/workflow/repository";

/** A finished vlog of these photos, as a render leaves it: storyboard, video, poster, a clip, share link. */
export async function renderedVlog(ownerEmail: string, mediaIds: string[]) {
  const owner = await db().user.findUniqueOrThrow({ where: { email: ownerEmail } });
  const run = await createRun(db(), VLOG_PLAN, { kind: VLOG_KIND, ownerId: owner.id, input: {}, autoProgressSteps: true, autoProgressPhases: true });
  const doc: StoryboardDoc = {
    title: "Harbour day",
    style: "cinematic",
    shots: mediaIds.map((mediaId, i) => ({ mediaId, caption: `Shot ${i + 1}`, duration: 3 })),
    writer: "local",
    dropped: [],
  };
  const vlog = await db().vlog.create({
    data: { ownerId: owner.id, runId: run.id, style: "cinematic", resolution: "720p", mediaIds, storyboard: doc as object, storyboardVersion: 1, shareToken: randomUUID().replace(/-/g, "").padEnd(43, "x").slice(0, 43), sharedAt: new Date() },
  });
  await db().workflowRun.update({ where: { id: run.id }, data: { input: { vlogId: vlog.id }, status: "completed", completedAt: new Date() } });
  const keys = renderKeys(vlog.id, 0);
  await storage().putBuffer(keys.video, Buffer.from("not really an mp4, but bytes a player would get"), "video/mp4");
  await storage().putBuffer(keys.poster, Buffer.from("poster"), "image/jpeg");
  await storage().putBuffer(keys.clip(mediaIds[0]), Buffer.from("clip"), "video/mp4");
  await db().vlog.update({ where: { id: vlog.id }, data: { videoKey: keys.video, posterKey: keys.poster, durationSec: 6, width: 1280, height: 720, bytes: 47, renderer: "ffmpeg" } });
  return { id: vlog.id, runId: run.id, shareToken: vlog.shareToken!, keys };
}
