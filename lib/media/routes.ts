// The photo API's busiest handlers, defined once: uploads (POST /api/v1/media), the library
// and the polling fallback (GET /api/v1/media, ?ids=) and one photo's status
// (GET /api/v1/media/:id). The front (lib/http/front.ts) answers these on Node's own
// request before Next sees them; each path's route.ts exports the same handler for a
// request that reaches Next.
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { livePoll } from "@/lib/events/live";
import { answerOnce, parseIdempotencyKey } from "@/lib/http/idempotency";
import { beforeParam, limitParam, mediaIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { REJECTION_STATUS } from "@/lib/http/status";
import { withUpload } from "@/lib/http/upload";
import { toMediaDetail } from "@/lib/media/detail";
import { mediaLive } from "@/lib/media/live";
import { getOwnedMedia, listOwnedMedia } from "@/lib/media/repository";
import { acceptUpload, uploadPolicy } from "@/lib/media/service";
import { toMediaView } from "@/lib/media/view";
import { enforce } from "@/lib/security/rate-limit";

/** POST: upload photos (multipart, field "files") → 202 with their ids; rate-limited per user.
 * With an Idempotency-Key, a repeat (the answer was lost) gets the first 202 again and
 * stores nothing (lib/http/idempotency.ts). */
export const uploadPhotos = route(async (request) => {
  const user = await requireUser(request);
  const key = parseIdempotencyKey(request.headers.get("idempotency-key"));
  return answerOnce("media", user.id, key, async () => {
    await enforce("upload-user", user.id, env().RATE_LIMIT_UPLOAD_USER, "Too many uploads in a short time.");
    const { media, rejected } = await withUpload(request, uploadPolicy(), (upload) => acceptUpload(user, upload));
    // Each refused file carries the status it would have had on its own.
    const refused = rejected.map(({ name, reason, error, details }) => ({ name, status: REJECTION_STATUS[reason], error, ...(details ? { details } : {}) }));
    return { status: 202, body: { media, rejected: refused } };
  });
});

/** GET: your photos, newest first (?before=<iso>&limit=), or just the ones named by ?ids= (polling fallback). */
export const listPhotos = route(async (request) => {
  const user = await requireUser(request);
  const url = new URL(request.url);
  if (url.searchParams.has("ids")) return livePoll(mediaLive, user.id, url);
  const limit = limitParam(url, 60);
  const before = beforeParam(url);
  const rows = await listOwnedMedia(db(), user.id, { limit, before });
  const next = rows.length === limit ? rows[rows.length - 1].createdAt.toISOString() : null;
  return Response.json({ media: rows.map(toMediaView), next });
});

/** GET: one photo's status and, once analysed, its results. */
export const readPhoto = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const row = await getOwnedMedia(db(), user.id, mediaIdParam((await params).id));
  return Response.json(toMediaDetail(row));
});
