// ai-job, job-webhook and ai-job-retention: the AI jobs API's work (lib/ai-jobs). Thin: the
// rules live in lib/ai-jobs; this wires them to BullMQ and keeps what a failed attempt
// learned (its error code, provider notes, usage) for the failure record.
import { DelayedError, type Job } from "bullmq";
import type { AiChain } from "@/lib/ai";
import type { Db } from "@/lib/db";
import { RateLimitedError } from "@/lib/errors";
import { errorCodeOf, executeAiJob, newAttempt, recordFailure, type AttemptRecord } from "@/lib/ai-jobs/execute";
import type { LifecycleDeps } from "@/lib/ai-jobs/lifecycle";
import { deleteExpiredJobs } from "@/lib/ai-jobs/service";
import { deliverJobWebhook } from "@/lib/ai-jobs/webhooks";
import { log } from "@/lib/log";
import type { FailureWording } from "../failures";
import type { ProcessorDef } from "./index";

export interface AiJobProcessorDeps extends LifecycleDeps {
  db: Db;
  chain: AiChain | null;
  fallbackEnabled: boolean;
  allowPrivateHosts: boolean | readonly string[];
  retentionDays: number;
}

/** How an AI job's failures read to the API's caller (worker/failures.ts classifies them). */
export const AI_JOB_WORDING: FailureWording = {
  generic: "Something went wrong while running this job. It is tried again by itself; if it still fails, press Retry later.",
  missingFile: "A file this job reads is missing from storage.",
  stalled: "The worker running this job stopped several times. Press Retry to run it again.",
  ai: { service: "AI provider", refused: "refused this job", button: "Retry" },
};

const WEBHOOK_WORDING: FailureWording = {
  ...AI_JOB_WORDING,
  generic: "The webhook could not be delivered; it is tried again later.",
};

export function aiJobProcessors(deps: AiJobProcessorDeps): {
  "ai-job": ProcessorDef<"ai-job">;
  "job-webhook": ProcessorDef<"job-webhook">;
  "ai-job-retention": ProcessorDef<"ai-job-retention">;
} {
  // What each running attempt learned, by BullMQ job id, until its failure is recorded.
  const attempts = new Map<string, { record: AttemptRecord; code: string }>();
  const execute = { ...deps, fetch: { allowPrivateHosts: deps.allowPrivateHosts } };
  return {
    "ai-job": {
      async process(job, _token, signal) {
        const record = newAttempt();
        attempts.delete(job.id!);
        try {
          return await executeAiJob(execute, job.data.jobId, record, signal);
        } catch (err) {
          attempts.set(job.id!, { record, code: errorCodeOf(err) });
          throw err;
        }
      },
      async onFailure(job, failure, final) {
        const attempt = attempts.get(job.id!);
        attempts.delete(job.id!);
        await recordFailure(deps, job.data.jobId, { ...failure, code: attempt?.code ?? "internal" }, final, attempt?.record);
      },
      wording: AI_JOB_WORDING,
    },
    "job-webhook": {
      async process(job: Job, token?: string, signal?: AbortSignal) {
        try {
          return await deliverJobWebhook(
            { db: deps.db, allowPrivateHosts: deps.allowPrivateHosts },
            job.data as { jobId: string; version: number },
            job.attemptsMade + 1,
            signal,
          );
        } catch (err) {
          // A receiver asking us to slow down delays this delivery only, not the queue.
          if (err instanceof RateLimitedError && token) {
            await job.moveToDelayed(Date.now() + err.retryAfterMs, token);
            throw new DelayedError();
          }
          throw err;
        }
      },
      // Every attempt is already recorded as a WebhookDelivery row by the delivery itself.
      async onFailure(job, failure, final) {
        if (final) log().warn({ jobId: job.data.jobId, err: failure.message }, "webhook delivery given up");
      },
      wording: WEBHOOK_WORDING,
    },
    "ai-job-retention": {
      async process() {
        const deleted = await deleteExpiredJobs(deps.db, deps.retentionDays);
        if (deleted > 0) log().info({ deleted, days: deps.retentionDays }, "deleted finished AI jobs past their retention");
        return { deleted };
      },
      async onFailure() {},
    },
  };
}
