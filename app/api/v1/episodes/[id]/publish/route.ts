// POST: start the publish phase of an episode ready for review (encode, store, feed, notify) → 202; 409 if it is not waiting for review.
import { requireUser } from "@/lib/auth";
import { uuidParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { publishEpisode } from "@/lib/podcasts/episodes";

export const runtime = "nodejs";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  return Response.json(await publishEpisode(user, uuidParam((await params).id, "That episode")), { status: 202 });
});
