// POST: take a published episode out of the feed (the feed is rebuilt without it, its published files deleted); it goes back to review.
import { requireUser } from "@/lib/auth";
import { uuidParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { unpublishEpisode } from "@/lib/podcasts/episodes";

export const runtime = "nodejs";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  return Response.json(await unpublishEpisode(user, uuidParam((await params).id, "That episode")), { status: 200 });
});
