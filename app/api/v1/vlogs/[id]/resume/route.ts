// POST: continue a failed (or orphaned) vlog from its last successful step → 202.
import { requireUser } from "@/lib/auth";
import { vlogIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { resumeVlog } from "@/lib/vlogs/service";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  return Response.json(await resumeVlog(user, vlogIdParam((await params).id)), { status: 202 });
});
