// GET: one AI job — status, progress, result or error, attempts, provider, usage, its batch's
// jobs, and each webhook delivery attempt. Someone else's job is a 404, like a missing one.
import { getJobDetail } from "@/lib/ai-jobs/service";
import { db } from "@/lib/db";
import { route } from "@/lib/http/route";
import { withApiRateLimit } from "@/lib/security/api-rate-limit";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const { id } = await params;
  return withApiRateLimit(request, async (user) => Response.json(await getJobDetail(db(), user, id)));
});
