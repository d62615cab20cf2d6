// POST: continue a failed episode from the step that failed (the steps that succeeded are not run again) → 202; 409 while its step still runs.
import { requireUser } from "@/lib/auth";
import { uuidParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { resumeEpisode } from "@/lib/podcasts/episodes";

export const runtime = "nodejs";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  return Response.json(await resumeEpisode(user, uuidParam((await params).id, "That episode")), { status: 202 });
});
