// POST (admins only): retry failed jobs from the overview — one job ({queue, jobId}) or
// every failed job of a queue with the same error message ({queue, message}).
import { z } from "zod";
import { overviewFeed } from "@/lib/admin/feed";
import { retryFailedGroup, retryFailedJob } from "@/lib/admin/retry";
import { requireAdmin } from "@/lib/auth/admin";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";
import { queueNames } from "@/lib/jobs";

export const runtime = "nodejs";

const queue = z.enum(queueNames as [string, ...string[]], { message: "Pick one of the queues." });
const body = z.union([
  z.object({ queue, jobId: z.string().min(1).max(300) }).strict(),
  z.object({ queue, message: z.string().min(1).max(10_000) }).strict(),
]);

export const POST = route(async (request) => {
  await requireAdmin(request);
  const input = await readJson(request, body);
  const queueName = input.queue as (typeof queueNames)[number];
  const result = "jobId" in input ? await retryFailedJob(queueName, input.jobId) : await retryFailedGroup(queueName, input.message);
  overviewFeed().refreshSoon();
  return Response.json(result, { status: 202 });
});
