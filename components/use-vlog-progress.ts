"use client";

// Follows vlogs over one live stream (phase, step, percent, step outcomes; see
// use-live-updates.ts). Re-opens when the set of ids changes (e.g. after Resume or Render
// on a finished vlog).
import type { VlogView } from "@/lib/vlogs/view";
import { useLiveUpdates } from "./use-live-updates";

export function useVlogProgress(ids: readonly string[], onUpdate: (vlog: VlogView) => void) {
  const key = [...ids].sort().join(",");
  return useLiveUpdates<VlogView>(
    {
      key,
      streamUrl: `/api/v1/vlogs/stream?ids=${key}`,
      event: "vlog",
      pollUrl: "/api/v1/vlogs?limit=200",
      fromPoll: (data) => (data as { vlogs: VlogView[] }).vlogs.filter((v) => key.split(",").includes(v.id)),
    },
    onUpdate,
  );
}
