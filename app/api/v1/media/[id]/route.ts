// GET: one photo's status and, once analysed, its results. DELETE: the photo, its original
// and thumbnail (the analysis cache only if no other photo has the same bytes); vlogs that
// used it keep their video and mark the shot as removed.
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { mediaIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { toMediaDetail } from "@/lib/media/detail";
import { getOwnedMedia } from "@/lib/media/repository";
import { deletePhotosFor } from "@/lib/media/service";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const row = await getOwnedMedia(db(), user.id, mediaIdParam((await params).id));
  return Response.json(toMediaDetail(row));
});

export const DELETE = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const { deleted } = await deletePhotosFor(user, [mediaIdParam((await params).id)]);
  if (deleted.length === 0) throw new NotFoundError("That photo");
  return new Response(null, { status: 204 });
});
