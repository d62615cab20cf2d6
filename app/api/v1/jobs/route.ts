// POST: create an AI job → 202 { job_id, status } + Location. GET: your jobs, newest first,
// or the ones named by ?ids= (the polling fallback of the stream). Rate-limited per token.
// Both defined in lib/ai-jobs/routes.ts and answered by the front (lib/http/front.ts) before
// Next sees them; these exports serve a request that reaches Next.
import { frontRoute } from "@/lib/http/front-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = frontRoute("POST /api/v1/jobs");
export const GET = frontRoute("GET /api/v1/jobs");
