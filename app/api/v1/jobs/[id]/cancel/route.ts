// POST: cancel an AI job. Queued → canceled at once; running → canceled at once and its
// worker aborts the provider call; a batch cancels its unfinished jobs too. Finished → 409.
import { cancelAiJob } from "@/lib/ai-jobs/service";
import { webDeps } from "@/lib/ai-jobs/web";
import { route } from "@/lib/http/route";
import { withApiRateLimit } from "@/lib/security/api-rate-limit";

export const dynamic = "force-dynamic";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const { id } = await params;
  return withApiRateLimit(request, async (user) => Response.json(await cancelAiJob(webDeps(), user, id)));
});
