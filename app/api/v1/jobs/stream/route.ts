// GET ?ids=a,b: one SSE stream of your AI jobs (a batch and its jobs alike): a snapshot, then
// live `job` events, `end` when every one is completed, failed or canceled. Rate-limited per
// token like the rest of the jobs API (one request per stream opened).
// Defined once in lib/http/stream-routes.ts, which the live front (lib/http/live-front.ts)
// answers this path with before Next sees it; this route serves a request that reaches Next.
import { streamRoute } from "@/lib/http/stream-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = streamRoute("/api/v1/jobs/stream");
