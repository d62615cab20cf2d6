// GET: where the episode's workflow stands: { currentPhase, currentStep, completedPhases,
// canProceed, requiresManualTrigger } (plus status, progress 0..1, startedAt and completedAt).
import { requireUser } from "@/lib/auth";
import { uuidParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { episodeProgress } from "@/lib/podcasts/episodes";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  return Response.json(await episodeProgress(user, uuidParam((await params).id, "That episode")));
});
