// POST: go on to the next phase (after reviewing the storyboard: "Render") → 202.
import { requireUser } from "@/lib/auth";
import { vlogIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { proceedVlog } from "@/lib/vlogs/service";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  return Response.json(await proceedVlog(user, vlogIdParam((await params).id)), { status: 202 });
});
