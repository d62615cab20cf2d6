// GET ?ids=a,b: one SSE stream of your AI jobs (a batch and its jobs alike): a snapshot, then
// live `job` events, `end` when every one is completed, failed or canceled. Rate-limited per
// token like the rest of the jobs API (one request per stream opened).
import { liveStreamRoute } from "@/lib/events/live";
import { jobLive } from "@/lib/ai-jobs/live";
import { rateLimitedRoute } from "@/lib/security/api-rate-limit";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = rateLimitedRoute(liveStreamRoute(jobLive));
