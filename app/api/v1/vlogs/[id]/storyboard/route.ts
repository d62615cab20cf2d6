// PATCH: edit the storyboard — reorder, re-caption, re-time or drop shots, change the title.
import { requireUser } from "@/lib/auth";
import { readJson } from "@/lib/http/body";
import { vlogIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { editStoryboard } from "@/lib/vlogs/service";
import { storyboardPatchSchema } from "@/lib/vlogs/storyboard";

export const PATCH = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const id = vlogIdParam((await params).id);
  const patch = await readJson(request, storyboardPatchSchema);
  return Response.json(await editStoryboard(user, id, patch));
});
