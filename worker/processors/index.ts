// The worker's processor map. Typed against the job catalogue, so a job without a
// processor is a compile error; worker/index.ts also checks it at start-up.
import type { Job } from "bullmq";
import type { JobName, JobPayload } from "@/lib/jobs/catalogue";
import { updateMediaState } from "@/lib/media/repository";
import type { Failure } from "../failures";
import { analyzeMedia, type AnalyzeDeps } from "./analyze-media";

export interface ProcessorDef<N extends JobName> {
  process(job: Job<JobPayload<N>>, token?: string): Promise<unknown>;
  /** Records a failed attempt on the entity: final, or waiting for another try. */
  onFailure(job: Job<JobPayload<N>>, failure: Failure, final: boolean): Promise<void>;
}

export type ProcessorMap = { [N in JobName]: ProcessorDef<N> };

export function buildProcessors(deps: AnalyzeDeps): ProcessorMap {
  return {
    "analyze-media": {
      process: (job, token) => analyzeMedia(job, deps, token),
      async onFailure(job, failure, final) {
        const row = final
          ? await updateMediaState(deps.db, job.data.mediaId, { status: "failed", stage: null, error: failure.message })
          : await updateMediaState(deps.db, job.data.mediaId, {
              status: "queued",
              stage: failure.kind === "rate_limited" ? "rate-limited" : "retrying",
              error: null,
            });
        await deps.announce(row);
      },
    },
  };
}
