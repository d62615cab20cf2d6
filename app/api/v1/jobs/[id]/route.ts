// GET: one AI job — status, progress, result or error, attempts, provider, usage, its batch's
// jobs, and each webhook delivery attempt. Someone else's job is a 404, like a missing one.
// Defined in lib/ai-jobs/routes.ts and answered by the front (lib/http/front.ts) before Next
// sees it; this export serves a request that reaches Next.
import { frontRoute } from "@/lib/http/front-routes";

export const dynamic = "force-dynamic";

export const GET = frontRoute("GET /api/v1/jobs/[id]");
