// Where a photo is in its analysis, as a number the progress bar can show and a label a
// person can read. The worker reports stages; this maps them to both.

export const ANALYSIS_STAGES = [
  { stage: "decoding", label: "Reading the image", progress: 0.05 },
  { stage: "thumbnail", label: "Making a thumbnail", progress: 0.2 },
  { stage: "exif", label: "Reading EXIF", progress: 0.35 },
  { stage: "colours", label: "Finding colours", progress: 0.45 },
  { stage: "fingerprint", label: "Fingerprinting", progress: 0.55 },
  // Decoded ahead of its caption while every call to the remote provider is taken (worker/ahead.ts).
  { stage: "awaiting-caption", label: "In line for a caption", progress: 0.6 },
  { stage: "describing", label: "Writing a caption and tags", progress: 0.65 },
  { stage: "saving", label: "Saving results", progress: 0.95 },
] as const;

export type AnalysisStage = (typeof ANALYSIS_STAGES)[number]["stage"];
export type MediaStatus = "queued" | "analysing" | "done" | "failed";

export const TERMINAL_STATUSES: readonly MediaStatus[] = ["done", "failed"];
export const isTerminal = (status: MediaStatus) => TERMINAL_STATUSES.includes(status);

export function stageProgress(stage: string): number {
  return ANALYSIS_STAGES.find((s) => s.stage === stage)?.progress ?? 0;
}

/** Stages that are waits between attempts rather than work. */
const WAITING_LABELS: Record<string, string> = {
  retrying: "Waiting to retry",
  "rate-limited": "Waiting for the caption service",
};

export function stageLabel(stage: string | null | undefined): string | null {
  if (!stage) return null;
  return ANALYSIS_STAGES.find((s) => s.stage === stage)?.label ?? WAITING_LABELS[stage] ?? stage;
}

/**
 * The single bar a file shows in the browser, 0..1: the upload takes the first 30 %
 * (bytes sent), analysis the rest. A finished file is full, a failed one stays where it
 * stopped.
 */
export function overallProgress(state: {
  phase: "uploading" | "rejected" | MediaStatus;
  uploadedFraction?: number;
  analysisProgress?: number;
}): number {
  const clamp = (n: number) => Math.min(1, Math.max(0, Number.isFinite(n) ? n : 0));
  switch (state.phase) {
    case "uploading":
    case "rejected":
      return 0.3 * clamp(state.uploadedFraction ?? 0);
    case "done":
      return 1;
    default:
      return 0.3 + 0.7 * clamp(state.analysisProgress ?? 0);
  }
}
