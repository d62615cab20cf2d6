// GET: one photo's status and, once analysed, its results.
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { mediaIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { toMediaDetail } from "@/lib/media/detail";
import { getOwnedMedia } from "@/lib/media/repository";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const row = await getOwnedMedia(db(), user.id, mediaIdParam((await params).id));
  return Response.json(toMediaDetail(row));
});
