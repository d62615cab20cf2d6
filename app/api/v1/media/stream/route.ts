// GET ?ids=a,b,c: one SSE stream of live progress for many of your photos. Sends a
// snapshot from Postgres, then live `media` events, and `end` when every photo is done or failed.
// Defined once in lib/http/front-routes.ts, which the front (lib/http/front.ts)
// answers this path with before Next sees it; this route serves a request that reaches Next.
import { frontRoute } from "@/lib/http/front-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = frontRoute("GET /api/v1/media/stream");
