// POST {ids}: deletes many of your photos at once (as DELETE /api/v1/media/:id does one);
// answers which were deleted and which ids were not yours or already gone.
import { requireUser } from "@/lib/auth";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";
import { bulkDeleteSchema } from "@/lib/media/delete";
import { deletePhotosFor } from "@/lib/media/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(async (request) => {
  const user = await requireUser(request);
  const { ids } = await readJson(request, bulkDeleteSchema);
  const { deleted, notFound } = await deletePhotosFor(user, ids);
  return Response.json({ deleted, notFound });
});
