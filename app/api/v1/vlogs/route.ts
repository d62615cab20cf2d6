// POST: make a vlog from analysed photos → 202 { vlogId, status } at once; the worker does
// the rest. GET: your vlogs, newest first, or just the ones named by ?ids= (polling fallback).
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { livePoll } from "@/lib/events/live";
import { readJson } from "@/lib/http/body";
import { limitParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { vlogLive } from "@/lib/vlogs/live";
import { listOwnedVlogs } from "@/lib/vlogs/repository";
import { createVlogFor, createVlogSchema } from "@/lib/vlogs/service";
import { toVlogView } from "@/lib/vlogs/view";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(async (request) => {
  const user = await requireUser(request);
  const input = await readJson(request, createVlogSchema);
  const created = await createVlogFor(user, input);
  return Response.json(created, { status: 202, headers: { Location: `/api/v1/vlogs/${created.vlogId}` } });
});

export const GET = route(async (request) => {
  const user = await requireUser(request);
  const url = new URL(request.url);
  if (url.searchParams.has("ids")) return livePoll(vlogLive, user.id, url);
  const limit = limitParam(url, 50);
  const rows = await listOwnedVlogs(db(), user.id, { limit });
  return Response.json({ vlogs: rows.map(toVlogView) });
});
