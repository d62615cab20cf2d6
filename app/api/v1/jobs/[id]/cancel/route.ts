// POST: cancel an AI job. Queued → canceled at once; running → canceled at once and its
// worker aborts the provider call; a batch cancels its unfinished jobs too. Finished → 409.
import { requireUser } from "@/lib/auth";
import { cancelAiJob } from "@/lib/ai-jobs/service";
import { webDeps } from "@/lib/ai-jobs/web";
import { route } from "@/lib/http/route";
import { withApiRateLimit } from "@/lib/security/api-rate-limit";

export const dynamic = "force-dynamic";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const { id } = await params;
  return withApiRateLimit(user, async () => Response.json(await cancelAiJob(webDeps(), user, id)));
});
