// GET: your analysed photos matching ?q= (tags, caption, camera, lens, year or month
// taken; every word must match, whole), newest first (?before=<iso>&limit=).
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { beforeParam, limitParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { searchOwnedMedia } from "@/lib/media/search";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  const user = await requireUser(request);
  const url = new URL(request.url);
  const q = url.searchParams.get("q") ?? "";
  const limit = limitParam(url, 60);
  const before = beforeParam(url);
  const results = await searchOwnedMedia(db(), user.id, q, { limit, before });
  const next = results.length === limit ? results[results.length - 1].createdAt : null;
  return Response.json({ q, results, next });
});
