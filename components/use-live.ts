"use client";

// Follows many entities of one live kind (lib/events/kinds.ts) over Server-Sent Events —
// one stream per group of at most the kind's `maxIds` (lib/events/stream-groups.ts), so 500
// photos dropped at once are 5 streams, and a new photo reopens only the last group's. If a
// stream cannot be kept open (a proxy that buffers, repeated errors), falls back to polling
// `<path>?ids=` per group with SWR. Every live kind uses this one hook.
import { useEffect, useRef, useState } from "react";
import useSWR from "swr";
import { LIVE_KINDS, type LiveKindName, type LiveView } from "@/lib/events/kinds";
import { groupsOf, nextCarried } from "@/lib/events/stream-groups";
import { apiFetch } from "./api-fetch";

/**
 * The streams' ids, as one string ("a,b|c"): a group per stream. One finishing does not
 * reopen a stream (the server ends it when all are final); only an id no stream carries does.
 */
function useStreamGroups(ids: readonly string[], size: number): string {
  const [carried, setCarried] = useState<readonly string[]>([]);
  const next = nextCarried(carried, ids, size);
  // Adjusting state while rendering (React re-renders at once, before the effects run).
  if (next !== carried) setCarried(next);
  return groupsOf(next, size).join("|");
}

/** Calls `onUpdate` with each new state of the `ids`; returns how it is following them. */
export function useLive<K extends LiveKindName>(kind: K, ids: readonly string[], onUpdate: (view: LiveView<K>) => void): "sse" | "polling" {
  const { path, listKey, maxIds } = LIVE_KINDS[kind];
  const groups = useStreamGroups(ids, maxIds);
  const [mode, setMode] = useState<"sse" | "polling">(() => (typeof EventSource === "undefined" ? "polling" : "sse"));
  const callback = useRef(onUpdate);
  useEffect(() => {
    callback.current = onUpdate;
  });

  // Open streams by group; a group that changed closes its stream and opens a new one.
  const streams = useRef(new Map<string, EventSource>());
  useEffect(() => {
    const open = streams.current;
    const wanted = mode === "sse" && groups ? groups.split("|") : [];
    for (const [group, stream] of open) {
      if (!wanted.includes(group)) {
        stream.close();
        open.delete(group);
      }
    }
    for (const group of wanted) {
      if (open.has(group)) continue;
      const stream = new EventSource(`${path}/stream?ids=${group}`);
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
      open.set(group, stream);
    }
  }, [groups, mode, path, kind]);
  useEffect(() => {
    const open = streams.current;
    return () => {
      for (const stream of open.values()) stream.close();
      open.clear();
    };
  }, []);

  useSWR(
    mode === "polling" && groups ? `${path}?groups=${groups}` : null,
    () => Promise.all(groups.split("|").map((group) => apiFetch<Record<string, LiveView<K>[]>>(`${path}?ids=${group}`))),
    {
      refreshInterval: 2_000,
      onSuccess: (answers) => answers.forEach((data) => data[listKey]?.forEach((view) => callback.current(view))),
    },
  );

  return mode;
}
