// POST: new episodes — multipart audio (field "file", several allowed; optional "showId",
// otherwise the account's first show, made on first use) or JSON { storageKey, showId? }
// for an object already in the bucket → 202 { episodes: [{ episodeId, status }], rejected }
// (one file: also { episodeId, status } at the top). Rate-limited like photo uploads; an
// Idempotency-Key makes a repeat answer the first 202 again, as for photos.
// GET: your episodes, newest first (?showId=&limit=), or those named by ?ids= (polling fallback).
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { readJson } from "@/lib/http/body";
import { livePoll } from "@/lib/events/live";
import { limitParam, uuidParam } from "@/lib/http/params";
import { answerOnce, parseIdempotencyKey } from "@/lib/http/idempotency";
import { route } from "@/lib/http/route";
import { REJECTION_STATUS } from "@/lib/http/status";
import { withUpload } from "@/lib/http/upload";
import { audioUploadPolicy } from "@/lib/podcasts/audio-upload";
import { acceptAudio, ingestSchema, ingestStoredAudio, showForUpload } from "@/lib/podcasts/episodes";
import { episodeLive } from "@/lib/podcasts/live";
import { listOwnedEpisodes } from "@/lib/podcasts/repository";
import { toEpisodeView } from "@/lib/podcasts/view";
import { RejectedInputError } from "@/lib/errors";
import { enforce } from "@/lib/security/rate-limit";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(async (request) => {
  const user = await requireUser(request);
  if ((request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
    // An object already in the bucket is taken once however often it is named (`duplicate`).
    await enforce("upload-user", user.id, env().RATE_LIMIT_UPLOAD_USER, "Too many uploads in a short time.");
    const result = await ingestStoredAudio(user, await readJson(request, ingestSchema));
    return Response.json(result, { status: result.duplicate ? 200 : 202 });
  }
  const key = parseIdempotencyKey(request.headers.get("idempotency-key"));
  return answerOnce("episodes", user.id, key, async () => {
    await enforce("upload-user", user.id, env().RATE_LIMIT_UPLOAD_USER, "Too many uploads in a short time.");
    const { episodes, rejected } = await withUpload(request, audioUploadPolicy(env()), async (upload) => {
      if (upload.accepted.length === 0) {
        const first = upload.rejected[0];
        throw new RejectedInputError(first.reason, first.error);
      }
      const show = await showForUpload(user, upload.fields.showId || new URL(request.url).searchParams.get("showId"));
      return { episodes: await acceptAudio(user, show, upload.accepted), rejected: upload.rejected };
    });
    // Each refused file carries the status it would have had on its own.
    const refused = rejected.map(({ name, reason, error }) => ({ name, status: REJECTION_STATUS[reason], error }));
    return { status: 202, body: { ...(episodes.length === 1 ? episodes[0] : {}), episodes, rejected: refused } };
  });
});

export const GET = route(async (request) => {
  const user = await requireUser(request);
  const url = new URL(request.url);
  if (url.searchParams.has("ids")) return livePoll(episodeLive, user.id, url);
  const limit = limitParam(url, 50);
  const showId = url.searchParams.get("showId");
  const rows = await listOwnedEpisodes(db(), user.id, { limit, showId: showId ? uuidParam(showId, "That show") : undefined });
  return Response.json({ episodes: rows.map(toEpisodeView) });
});
