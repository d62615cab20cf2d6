"use client";

// Follows many entities of one live kind (lib/events/kinds.ts) over ONE Server-Sent Events
// stream; if the stream cannot be kept open (a proxy that buffers, repeated errors), falls
// back to polling `<path>?ids=` with SWR. Every live kind uses this one hook.
import { useEffect, useRef, useState } from "react";
import useSWR from "swr";
import { LIVE_KINDS, type LiveKindName, type LiveView } from "@/lib/events/kinds";
import { apiFetch } from "./api-fetch";

/**
 * The ids the stream should carry. One finishing does not reopen the stream (the server
 * ends it when all are final); only an id the stream lacks does, and none closes it.
 */
function useStreamKey(ids: readonly string[]): string {
  const [carried, setCarried] = useState<readonly string[]>([]);
  let next = carried;
  if (ids.length === 0) next = carried.length === 0 ? carried : [];
  else if (!ids.every((id) => carried.includes(id))) next = [...ids].sort();
  // Adjusting state while rendering (React re-renders at once, before the effects run).
  if (next !== carried) setCarried(next);
  return next.join(",");
}

/** Calls `onUpdate` with each new state of the `ids`; returns how it is following them. */
export function useLive<K extends LiveKindName>(kind: K, ids: readonly string[], onUpdate: (view: LiveView<K>) => void): "sse" | "polling" {
  const { path, listKey } = LIVE_KINDS[kind];
  const key = useStreamKey(ids);
  const [mode, setMode] = useState<"sse" | "polling">(() => (typeof EventSource === "undefined" ? "polling" : "sse"));
  const callback = useRef(onUpdate);
  useEffect(() => {
    callback.current = onUpdate;
  });

  useEffect(() => {
    if (!key || mode !== "sse") return;
    const stream = new EventSource(`${path}/stream?ids=${key}`);
    let errors = 0;
    // Events are named after their kind ("media", "vlog").
    stream.addEventListener(kind, (message) => {
      errors = 0;
      callback.current(JSON.parse((message as MessageEvent).data) as LiveView<K>);
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
  }, [key, mode, path, kind]);

  useSWR(mode === "polling" && key ? `${path}?ids=${key}` : null, (url: string) => apiFetch<Record<string, LiveView<K>[]>>(url), {
    refreshInterval: 2_000,
    onSuccess: (data) => data[listKey]?.forEach((view) => callback.current(view)),
  });

  return mode;
}
