// POST: upload photos → 202 with their ids. GET: your photos, newest first, or the ones
// named by ?ids= (polling fallback). Both defined in lib/media/routes.ts and answered by the
// front (lib/http/front.ts) before Next sees them; these exports serve a request that
// reaches Next.
import { frontRoute } from "@/lib/http/front-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = frontRoute("POST /api/v1/media");
export const GET = frontRoute("GET /api/v1/media");
