// GET: your analysed photos matching ?q= (tags, caption, camera, lens, year or month
// taken; every word must match, as a prefix), newest first (?before=<iso>&limit=).
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { badRequest } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import { searchOwnedMedia } from "@/lib/media/search";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  const user = await requireUser(request);
  const url = new URL(request.url);
  const q = url.searchParams.get("q") ?? "";
  const limit = Math.min(Math.max(Number(url.searchParams.get("limit") ?? 60) || 60, 1), 200);
  const beforeRaw = url.searchParams.get("before");
  const before = beforeRaw ? new Date(beforeRaw) : undefined;
  if (before && Number.isNaN(before.getTime())) throw badRequest("before must be an ISO date.");
  const results = await searchOwnedMedia(db(), user.id, q, { limit, before });
  const next = results.length === limit ? results[results.length - 1].createdAt : null;
  return Response.json({ q, results, next });
});
