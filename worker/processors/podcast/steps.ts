// The episode workflow's seven steps (lib/podcasts/plan.ts): each handler hands the step's
// context to its logic in lib/podcasts/steps/, which reads the episode as it is now and
// returns JSON the engine stores as the step's output.
import { enqueue } from "@/lib/jobs";
import { EPISODE_PLAN, type EpisodeRunInput } from "@/lib/podcasts/plan";
import { assembleStep } from "@/lib/podcasts/steps/assemble";
import type { EpisodeStepDeps } from "@/lib/podcasts/steps/deps";
import { encodeStep } from "@/lib/podcasts/steps/encode";
import { feedStep } from "@/lib/podcasts/steps/feed";
import { notifyStep } from "@/lib/podcasts/steps/notify";
import { probeStep } from "@/lib/podcasts/steps/probe";
import { storeStep } from "@/lib/podcasts/steps/store";
import { understandStep } from "@/lib/podcasts/steps/understand";
import type { WorkflowDefinition } from "@/lib/workflow/types";

export function episodeWorkflow(deps: EpisodeStepDeps): WorkflowDefinition<EpisodeRunInput, typeof EPISODE_PLAN> {
  return {
    plan: EPISODE_PLAN,
    handlers: {
      analyse: {
        probe: (ctx) => probeStep(deps, ctx),
        understand: (ctx) => understandStep(deps, ctx),
        assemble: (ctx) => assembleStep(deps, ctx),
      },
      publish: {
        encode: (ctx) => encodeStep(deps, ctx),
        store: (ctx) => storeStep(deps, ctx),
        feed: (ctx) => feedStep(deps, ctx),
        notify: (ctx) => notifyStep(deps, ctx),
      },
    },
    // A failed run tells the show's channel and webhook which step failed and why.
    onRunFailed: (run) => enqueue("podcast-failure-notice", { runId: run.id, generation: run.generation }).then(() => {}),
  };
}
