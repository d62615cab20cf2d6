// GET: where the vlog's workflow stands: { currentPhase, currentStep, completedPhases,
// canProceed, requiresManualTrigger } (plus status, progress, startedAt and completedAt).
import { requireUser } from "@/lib/auth";
import { vlogIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { getVlogDetail } from "@/lib/vlogs/service";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const v = await getVlogDetail(user, vlogIdParam((await params).id));
  return Response.json({
    currentPhase: v.currentPhase,
    currentStep: v.currentStep,
    completedPhases: v.completedPhases,
    canProceed: v.canProceed,
    requiresManualTrigger: v.requiresManualTrigger,
    status: v.status,
    progress: v.progress,
    startedAt: v.startedAt,
    completedAt: v.completedAt,
  });
});
