// GET ?ids=a,b: one SSE stream of live progress for your vlogs (phase, step, percent, each
// step's outcome): a snapshot, then live `vlog` events; `end` when every vlog is completed
// or failed (a page re-opens it after Resume or Render).
// Defined once in lib/http/front-routes.ts, which the front (lib/http/front.ts)
// answers this path with before Next sees it; this route serves a request that reaches Next.
import { frontRoute } from "@/lib/http/front-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = frontRoute("GET /api/v1/vlogs/stream");
