// The jobs API's busiest handlers, defined once: create (POST /api/v1/jobs), list and the
// polling fallback (GET /api/v1/jobs, ?ids=) and one job (GET /api/v1/jobs/:id). The front
// (lib/http/front.ts) answers these on Node's own request before Next sees them; each
// path's route.ts exports the same handler for a request that reaches Next.
import { createAiJob, getJobDetail, listAiJobs, MAX_REQUEST_BYTES, parseListQuery } from "@/lib/ai-jobs/service";
import { jobLive } from "@/lib/ai-jobs/live";
import { webDeps } from "@/lib/ai-jobs/web";
import { db } from "@/lib/db";
import { livePoll } from "@/lib/events/live";
import { readJsonBounded } from "@/lib/http/body";
import { parseIdempotencyKey } from "@/lib/http/idempotency";
import { route } from "@/lib/http/route";
import { withApiRateLimit } from "@/lib/security/api-rate-limit";

/** POST: create an AI job → 202 { job_id, status } + Location (200 with the original job when
 * an Idempotency-Key is repeated with the same request; 409 with a different one). */
export const createJob = route(async (request) =>
  withApiRateLimit(request, async (user) => {
    const key = parseIdempotencyKey(request.headers.get("idempotency-key"));
    const body = await readJsonBounded(request, MAX_REQUEST_BYTES);
    const { job, replayed } = await createAiJob(webDeps(), user, body, key);
    return Response.json(
      { job_id: job.job_id, status: job.status },
      { status: replayed ? 200 : 202, headers: { Location: `/api/v1/jobs/${job.job_id}` } },
    );
  }),
);

/** GET: your jobs, newest first (?status&type&since&cursor&limit → { jobs, next_cursor }), or the ones named by ?ids=. */
export const listJobs = route(async (request) =>
  withApiRateLimit(request, async (user) => {
    const url = new URL(request.url);
    if (url.searchParams.has("ids")) return livePoll(jobLive, user.id, url);
    return Response.json(await listAiJobs(db(), user, parseListQuery(url.searchParams)));
  }),
);

/** GET: one job — status, progress, result or error, attempts, provider, usage, its batch, webhook deliveries. */
export const readJob = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const { id } = await params;
  return withApiRateLimit(request, async (user) => Response.json(await getJobDetail(db(), user, id)));
});
