// GET ?ids=: SSE of your exports' progress until each is ready or failed.
// Defined once in lib/http/front-routes.ts, which the front (lib/http/front.ts)
// answers this path with before Next sees it; this route serves a request that reaches Next.
import { frontRoute } from "@/lib/http/front-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = frontRoute("GET /api/account/exports/stream");
