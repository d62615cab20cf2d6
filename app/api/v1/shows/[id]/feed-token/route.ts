// POST: a new, unguessable feed URL for the show; the old one answers 404 from now on.
import { requireUser } from "@/lib/auth";
import { uuidParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { rotateToken } from "@/lib/podcasts/show-service";

export const runtime = "nodejs";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  return Response.json(await rotateToken(user, uuidParam((await params).id, "That show")));
});
