// POST: queue a failed photo's analysis again.
import { requireUser } from "@/lib/auth";
import { mediaIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { retryMedia } from "@/lib/media/service";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const media = await retryMedia(user, mediaIdParam((await params).id));
  return Response.json({ media }, { status: 202 });
});
