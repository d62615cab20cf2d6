// GET ?ids=a,b: one SSE stream of your AI jobs (a batch and its jobs alike): a snapshot, then
// live `job` events, `end` when every one is completed, failed or canceled. Rate-limited per
// token like the rest of the jobs API (one request per stream opened).
// Defined once in lib/http/front-routes.ts, which the front (lib/http/front.ts)
// answers this path with before Next sees it; this route serves a request that reaches Next.
import { frontRoute } from "@/lib/http/front-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = frontRoute("GET /api/v1/jobs/stream");
