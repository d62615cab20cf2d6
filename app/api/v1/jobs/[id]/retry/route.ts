// POST: run a failed AI job again → 202 with the job, queued. Any other status → 409.
import { retryAiJob } from "@/lib/ai-jobs/service";
import { webDeps } from "@/lib/ai-jobs/web";
import { route } from "@/lib/http/route";
import { withApiRateLimit } from "@/lib/security/api-rate-limit";

export const dynamic = "force-dynamic";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const { id } = await params;
  return withApiRateLimit(request, async (user) => {
    const job = await retryAiJob(webDeps(), user, id);
    return Response.json(job, { status: 202, headers: { Location: `/api/v1/jobs/${job.job_id}` } });
  });
});
