// The podcast jobs outside an episode's workflow: rebuilding a show's feed after a change
// (podcast-feed) and telling a show's people that an episode's run failed
// (podcast-failure-notice). Thin: the work is in lib/podcasts.
import type { Job } from "bullmq";
import type { JobPayload } from "@/lib/jobs/catalogue";
import { rebuildFeed, type FeedStoreDeps } from "@/lib/podcasts/feed-store";
import { noticeRunFailure, type FailureNoticeDeps } from "@/lib/podcasts/failure-notice";
import type { Channel } from "@/lib/podcasts/notify";
import type { ProcessorDef } from "../index";

export interface PodcastJobDeps extends FeedStoreDeps, FailureNoticeDeps {
  /** Tells open pages the episode of this run changed (its notifyError). */
  announceRun(runId: string): Promise<unknown>;
}

export function podcastFeedProcessor(deps: PodcastJobDeps): ProcessorDef<"podcast-feed"> {
  return {
    process: async (job: Job<JobPayload<"podcast-feed">>) => rebuildFeed(deps, job.data.showId),
    // The feed stays at its last good version; the next change builds it again.
    async onFailure() {},
  };
}

export function failureNoticeProcessor(deps: PodcastJobDeps): ProcessorDef<"podcast-failure-notice"> {
  return {
    async process(job: Job<JobPayload<"podcast-failure-notice">>) {
      const done = ((job.progress as { sent?: Channel[] } | number | undefined) as { sent?: Channel[] } | undefined)?.sent ?? [];
      const sent = [...done];
      const result = await noticeRunFailure(deps, job.data, {
        lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        done,
        onSent: async (channel) => {
          sent.push(channel);
          await job.updateProgress({ sent });
        },
      });
      if (result?.errors.length) await deps.announceRun(job.data.runId);
      return result ? { sent, errors: result.errors } : { skipped: "the run is no longer failed" };
    },
    async onFailure() {},
  };
}
