// What a vlog is made of, shared by the web app and the worker: the workflow plan (two
// phases, three steps each), the styles a user can pick, and the run's input.
import type { WorkflowStepJobName } from "@/lib/jobs/catalogue";
import { definePlan } from "@/lib/workflow/plan";
import type { WorkflowPlan } from "@/lib/workflow/types";

export const VLOG_KIND = "vlog";

// Step names are stored in WorkflowStep rows: renaming one strands existing vlogs.
export const VLOG_PLAN = definePlan({
  kind: VLOG_KIND,
  phases: [
    {
      name: "storyboard",
      label: "Storyboard",
      steps: [
        { name: "think", label: "Choosing shots", job: "workflow-step", weight: 4 },
        { name: "execute", label: "Writing captions", job: "workflow-step", weight: 6 },
        { name: "integrate", label: "Building the storyboard", job: "workflow-step", weight: 2 },
      ],
    },
    {
      name: "render",
      label: "Render",
      steps: [
        { name: "think", label: "Planning the timeline", job: "workflow-step", weight: 2 },
        { name: "execute", label: "Rendering the video", job: "vlog-render", weight: 78 },
        { name: "integrate", label: "Publishing", job: "workflow-step", weight: 8 },
      ],
    },
  ],
} as const satisfies WorkflowPlan<WorkflowStepJobName>);

/** The run's input: everything else is read from the vlog row when a step runs. */
export interface VlogRunInput {
  vlogId: string;
}

export interface StylePreset {
  label: string;
  description: string;
  /** Default seconds on screen per photo. */
  shotSeconds: number;
  /** ffmpeg xfade transition name and length. */
  transition: "fade" | "fadeblack" | "slideleft" | "smoothleft";
  transitionSeconds: number;
  /** How far the pan-and-zoom moves (1.0 = none). */
  zoom: number;
}

export const STYLES = {
  cinematic: {
    label: "Cinematic",
    description: "Slow pushes, dips to black, a title card.",
    shotSeconds: 4,
    transition: "fadeblack",
    transitionSeconds: 0.8,
    zoom: 1.15,
  },
  calm: {
    label: "Calm",
    description: "Long, gentle shots with soft crossfades.",
    shotSeconds: 5,
    transition: "fade",
    transitionSeconds: 1,
    zoom: 1.08,
  },
  upbeat: {
    label: "Upbeat",
    description: "Quick cuts that slide from one photo to the next.",
    shotSeconds: 2.5,
    transition: "slideleft",
    transitionSeconds: 0.4,
    zoom: 1.12,
  },
  documentary: {
    label: "Documentary",
    description: "Steady pacing with dates and times in the captions.",
    shotSeconds: 4,
    transition: "fade",
    transitionSeconds: 0.6,
    zoom: 1.06,
  },
} as const satisfies Record<string, StylePreset>;

export type VlogStyle = keyof typeof STYLES;
export const STYLE_NAMES = Object.keys(STYLES) as VlogStyle[];
export const DEFAULT_STYLE: VlogStyle = "cinematic";

export const RESOLUTIONS = {
  "720p": { width: 1280, height: 720 },
  "1080p": { width: 1920, height: 1080 },
} as const;
export type VlogResolution = keyof typeof RESOLUTIONS;

/** Bounds on a shot's time on screen, in seconds. */
export const MIN_SHOT_SECONDS = 1.5;
export const MAX_SHOT_SECONDS = 10;
export const MAX_CAPTION_CHARS = 140;
export const MAX_TITLE_CHARS = 80;
