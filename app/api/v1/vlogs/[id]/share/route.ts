// POST: make (or replace) the vlog's public link. DELETE: revoke it; it stops working at once.
import { requireUser } from "@/lib/auth";
import { vlogIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { shareVlog, unshareVlog } from "@/lib/vlogs/service";

export const POST = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  return Response.json(await shareVlog(user, vlogIdParam((await params).id)));
});

export const DELETE = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  return Response.json(await unshareVlog(user, vlogIdParam((await params).id)));
});
