// POST: create an AI job → 202 { job_id, status } + Location (200 with the original job when
// an Idempotency-Key is repeated with the same request; 409 with a different one). GET: your
// jobs, newest first (?status&type&since&cursor&limit → { jobs, next_cursor }), or the ones
// named by ?ids= (the polling fallback of the stream). Rate-limited per token.
import { createAiJob, listAiJobs, MAX_REQUEST_BYTES, parseListQuery } from "@/lib/ai-jobs/service";
import { jobLive } from "@/lib/ai-jobs/live";
import { livePoll } from "@/lib/events/live";
import { webDeps } from "@/lib/ai-jobs/web";
import { db } from "@/lib/db";
import { readJsonBounded } from "@/lib/http/body";
import { parseIdempotencyKey } from "@/lib/http/idempotency";
import { route } from "@/lib/http/route";
import { withApiRateLimit } from "@/lib/security/api-rate-limit";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(async (request) =>
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

export const GET = route(async (request) =>
  withApiRateLimit(request, async (user) => {
    const url = new URL(request.url);
    if (url.searchParams.has("ids")) return livePoll(jobLive, user.id, url);
    return Response.json(await listAiJobs(db(), user, parseListQuery(url.searchParams)));
  }),
);
