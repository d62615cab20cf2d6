// GET: one episode — status, progress, phase/step detail, review fields, transcript,
// chapters, file URLs, feed state. PATCH: edit the review fields (409 while a step runs; on
// a published episode, a new title or chapters publish it again). DELETE: the episode, its
// files, and its place in the feed.
import { requireUser } from "@/lib/auth";
import { readJson } from "@/lib/http/body";
import { uuidParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { deleteEpisodeFor, editEpisode, editEpisodeSchema, getEpisodeDetail } from "@/lib/podcasts/episodes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };
const episodeId = async (params: Ctx["params"]) => uuidParam((await params).id, "That episode");

export const GET = route<Ctx>(async (request, { params }) => {
  const user = await requireUser(request);
  return Response.json(await getEpisodeDetail(user, await episodeId(params)));
});

export const PATCH = route<Ctx>(async (request, { params }) => {
  const user = await requireUser(request);
  const id = await episodeId(params);
  return Response.json(await editEpisode(user, id, await readJson(request, editEpisodeSchema)));
});

export const DELETE = route<Ctx>(async (request, { params }) => {
  const user = await requireUser(request);
  await deleteEpisodeFor(user, await episodeId(params));
  return new Response(null, { status: 204 });
});
