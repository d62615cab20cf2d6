// What a podcast episode's workflow is, shared by the web app and the worker: an analyse
// phase that runs by itself (probe → understand → assemble), a review gate, and a publish
// phase (encode → store → feed → notify). The run's input names the episode; everything
// else is read from the Episode row when a step runs, so edits made at review count.
import type { WorkflowStepJobName } from "@/lib/jobs/catalogue";
import { definePlan } from "@/lib/workflow/plan";
import type { WorkflowPlan } from "@/lib/workflow/types";

export const EPISODE_KIND = "episode";

// Step names are stored in WorkflowStep rows: renaming one strands existing episodes.
export const EPISODE_PLAN = definePlan({
  kind: EPISODE_KIND,
  phases: [
    {
      name: "analyse",
      label: "Analyse",
      steps: [
        { name: "probe", label: "Reading the audio", job: "workflow-step", weight: 12 },
        { name: "understand", label: "Writing title and chapters", job: "workflow-step", weight: 10 },
        { name: "assemble", label: "Preparing the review", job: "workflow-step", weight: 2 },
      ],
    },
    {
      name: "publish",
      label: "Publish",
      steps: [
        { name: "encode", label: "Encoding the MP3", job: "podcast-encode", weight: 60 },
        { name: "store", label: "Storing the files", job: "workflow-step", weight: 8 },
        { name: "feed", label: "Updating the feed", job: "workflow-step", weight: 4 },
        { name: "notify", label: "Sending notifications", job: "podcast-notify", weight: 4 },
      ],
    },
  ],
} as const satisfies WorkflowPlan<WorkflowStepJobName>);

export type EpisodePhase = (typeof EPISODE_PLAN)["phases"][number]["name"];

/** The run's input. */
export interface EpisodeRunInput {
  episodeId: string;
}

/** Where a run waits for review: the first step of the publish phase. */
export const REVIEW_GATE = { phase: "publish", step: "encode" } as const;
