// POST: start "download all my data" (202; the export already being made, if any). GET: your
// recent exports with progress and download links, or the ones named by ?ids= (polling fallback).
import { requireSessionUser } from "@/lib/auth";
import { exportLive } from "@/lib/account/exports";
import { recentExports, startExport } from "@/lib/account/service";
import { livePoll } from "@/lib/events/live";
import { route } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(async (request) => {
  const user = await requireSessionUser(request);
  return Response.json({ export: await startExport(user) }, { status: 202 });
});

export const GET = route(async (request) => {
  const user = await requireSessionUser(request);
  const url = new URL(request.url);
  if (url.searchParams.has("ids")) return livePoll(exportLive, user.id, url);
  return Response.json({ exports: await recentExports(user) });
});
