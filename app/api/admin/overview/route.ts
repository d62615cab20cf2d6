// GET (admins only): the queue overview once — counts, last hour's throughput, failed
// jobs grouped by message. The page follows /api/admin/overview/stream for live updates.
import { buildOverview } from "@/lib/admin/overview";
import { requireAdmin } from "@/lib/auth/admin";
import { route } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  await requireAdmin(request);
  return Response.json(await buildOverview(), { headers: { "Cache-Control": "no-store" } });
});
