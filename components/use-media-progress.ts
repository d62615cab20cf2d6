"use client";

// Follows many photos at once over ONE Server-Sent Events stream. If the stream cannot
// be kept open (a proxy that buffers, repeated errors), falls back to polling with SWR.
import { useEffect, useRef, useState } from "react";
import useSWR from "swr";
import type { MediaView } from "@/lib/media/view";

const fetchJson = async (url: string) => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
};

/**
 * The ids the stream should carry. A photo finishing does not reopen the stream (the
 * server ends it when all are final); only a photo the stream lacks does.
 */
function useStreamKey(ids: readonly string[]): string {
  const current = useRef<string[]>([]);
  if (ids.length === 0) current.current = [];
  else if (!ids.every((id) => current.current.includes(id))) current.current = [...ids].sort();
  return current.current.join(",");
}

export function useMediaProgress(ids: readonly string[], onUpdate: (media: MediaView) => void) {
  const key = useStreamKey(ids);
  const [mode, setMode] = useState<"sse" | "polling">(() => (typeof EventSource === "undefined" ? "polling" : "sse"));
  const callback = useRef(onUpdate);
  useEffect(() => {
    callback.current = onUpdate;
  });

  useEffect(() => {
    if (!key || mode !== "sse") return;
    const source = new EventSource(`/api/v1/media/stream?ids=${key}`);
    let errors = 0;
    source.addEventListener("media", (event) => {
      errors = 0;
      callback.current(JSON.parse((event as MessageEvent).data) as MediaView);
    });
    source.addEventListener("end", () => source.close());
    source.onerror = () => {
      errors += 1;
      if (source.readyState === EventSource.CLOSED || errors >= 3) {
        source.close();
        setMode("polling");
      }
    };
    return () => source.close();
  }, [key, mode]);

  useSWR<{ media: MediaView[] }>(mode === "polling" && key ? `/api/v1/media?ids=${key}` : null, fetchJson, {
    refreshInterval: 2_000,
    onSuccess: (data) => data.media.forEach((m) => callback.current(m)),
  });

  return mode;
}
