// GET: one photo's status and, once analysed, its results. DELETE: the photo, its original
// and thumbnail (the analysis cache only if no other photo has the same bytes); vlogs that
// used it keep their video and mark the shot as removed.
import { requireUser } from "@/lib/auth";
import { NotFoundError } from "@/lib/errors";
import { frontRoute } from "@/lib/http/front-routes";
import { mediaIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { deletePhotosFor } from "@/lib/media/service";

export const dynamic = "force-dynamic";

// Answered by the front (lib/http/front.ts) before Next sees it, with the handler in
// lib/media/routes.ts; this export serves a request that reaches Next.
export const GET = frontRoute("GET /api/v1/media/[id]");

export const DELETE = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const { deleted } = await deletePhotosFor(user, [mediaIdParam((await params).id)]);
  if (deleted.length === 0) throw new NotFoundError("That photo");
  return new Response(null, { status: 204 });
});
