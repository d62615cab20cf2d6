// GET: one vlog — status, progress, phase/step, each step's outcome, storyboard, video URLs.
// DELETE: the vlog, its video and poster, its share link and its run history.
import { requireUser } from "@/lib/auth";
import { vlogIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { deleteVlogFor, getVlogDetail } from "@/lib/vlogs/service";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  return Response.json(await getVlogDetail(user, vlogIdParam((await params).id)));
});

export const DELETE = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  await deleteVlogFor(user, vlogIdParam((await params).id));
  return new Response(null, { status: 204 });
});
