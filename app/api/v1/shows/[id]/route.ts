// GET: one show (feed URL, artwork, settings; secrets only as set/not set). PATCH: edit it;
// the feed is rebuilt.
import { requireUser } from "@/lib/auth";
import { readJson } from "@/lib/http/body";
import { uuidParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { editShow, getShowView } from "@/lib/podcasts/show-service";
import { updateShowSchema } from "@/lib/podcasts/shows";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export const GET = route<Ctx>(async (request, { params }) => {
  const user = await requireUser(request);
  return Response.json(await getShowView(user, uuidParam((await params).id, "That show")));
});

export const PATCH = route<Ctx>(async (request, { params }) => {
  const user = await requireUser(request);
  const id = uuidParam((await params).id, "That show");
  return Response.json(await editShow(user, id, await readJson(request, updateShowSchema)));
});
