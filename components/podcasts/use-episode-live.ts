"use client";

// Follows episodes over one live stream, polling `?ids=` when SSE cannot be kept open.
// (Becomes `useLive("episode", ids, …)` once episodes are a registered live kind.)
import { useState } from "react";
import { useLiveUpdates } from "../use-live-updates";
import type { EpisodeView } from "./types";

/** A finishing episode does not reopen the stream; only an id the stream lacks does. */
function useStreamKey(ids: readonly string[]): string {
  const [current, setCurrent] = useState<readonly string[]>([]);
  let next = current;
  if (ids.length === 0) next = current.length === 0 ? current : [];
  else if (!ids.every((id) => current.includes(id))) next = [...ids].sort();
  if (next !== current) setCurrent(next);
  return next.join(",");
}

export function useEpisodeLive(ids: readonly string[], onUpdate: (episode: EpisodeView) => void) {
  const key = useStreamKey(ids);
  return useLiveUpdates<EpisodeView>(
    {
      key,
      streamUrl: `/api/v1/episodes/stream?ids=${key}`,
      event: "episode",
      pollUrl: `/api/v1/episodes?ids=${key}`,
      fromPoll: (data) => (data as { episodes: EpisodeView[] }).episodes,
    },
    onUpdate,
  );
}
