"use client";

// Follows episodes over one live stream, polling `?ids=` when SSE cannot be kept open.
// TODO(podcast-pipeline): becomes `useLive("episode", ids, onUpdate)` once episodes are a
// registered live kind (lib/events/kinds.ts); until then the same logic, addressed by hand.
import { useEffect, useRef, useState } from "react";
import useSWR from "swr";
import { apiFetch } from "../api-fetch";
import type { EpisodeView } from "./types";

function useStreamKey(ids: readonly string[]): string {
  const [carried, setCarried] = useState<readonly string[]>([]);
  let next = carried;
  if (ids.length === 0) next = carried.length === 0 ? carried : [];
  else if (!ids.every((id) => carried.includes(id))) next = [...ids].sort();
  if (next !== carried) setCarried(next);
  return next.join(",");
}

export function useEpisodeLive(ids: readonly string[], onUpdate: (episode: EpisodeView) => void): "sse" | "polling" {
  const key = useStreamKey(ids);
  const [mode, setMode] = useState<"sse" | "polling">(() => (typeof EventSource === "undefined" ? "polling" : "sse"));
  const callback = useRef(onUpdate);
  useEffect(() => {
    callback.current = onUpdate;
  });

  useEffect(() => {
    if (!key || mode !== "sse") return;
    const stream = new EventSource(`/api/v1/episodes/stream?ids=${key}`);
    let errors = 0;
    stream.addEventListener("episode", (message) => {
      errors = 0;
      callback.current(JSON.parse((message as MessageEvent).data) as EpisodeView);
    });
    stream.addEventListener("end", () => stream.close());
    stream.onerror = () => {
      errors += 1;
      if (stream.readyState === EventSource.CLOSED || errors >= 3) {
        stream.close();
        setMode("polling");
      }
    };
    return () => stream.close();
  }, [key, mode]);

  useSWR(mode === "polling" && key ? `/api/v1/episodes?ids=${key}` : null, (url: string) => apiFetch<{ episodes: EpisodeView[] }>(url), {
    refreshInterval: 2_000,
    onSuccess: (data) => data.episodes?.forEach((view) => callback.current(view)),
  });

  return mode;
}
