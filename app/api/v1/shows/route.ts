// GET: your shows (the first is made on first use). POST: a new show → 201 (with its
// webhook signing secret, once, when a webhook URL was given).
import { requireUser } from "@/lib/auth";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";
import { createShow, listShows } from "@/lib/podcasts/show-service";
import { createShowSchema } from "@/lib/podcasts/shows";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  const user = await requireUser(request);
  return Response.json({ shows: await listShows(user) });
});

export const POST = route(async (request) => {
  const user = await requireUser(request);
  return Response.json(await createShow(user, await readJson(request, createShowSchema)), { status: 201 });
});
