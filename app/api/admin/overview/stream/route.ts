// GET (admins only): SSE stream of the queue overview, pushed whenever it changes. All
// admin streams of this process share one feed (lib/admin/feed.ts).
// Defined once in lib/http/front-routes.ts, which the front (lib/http/front.ts)
// answers this path with before Next sees it; this route serves a request that reaches Next.
import { frontRoute } from "@/lib/http/front-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = frontRoute("GET /api/admin/overview/stream");
