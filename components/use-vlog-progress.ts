"use client";

// Follows vlogs over ONE Server-Sent Events stream (phase, step, percent, step outcomes).
// Falls back to polling with SWR when the stream cannot be kept open. Re-opens when the
// set of ids or `active` changes (e.g. after Resume or Render on a finished vlog).
import { useEffect, useRef, useState } from "react";
import useSWR from "swr";
import type { VlogView } from "@/lib/vlogs/view";

const fetchJson = async (url: string) => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
};

export function useVlogProgress(ids: readonly string[], onUpdate: (vlog: VlogView) => void) {
  const key = [...ids].sort().join(",");
  const [mode, setMode] = useState<"sse" | "polling">(() => (typeof EventSource === "undefined" ? "polling" : "sse"));
  const callback = useRef(onUpdate);
  useEffect(() => {
    callback.current = onUpdate;
  });

  useEffect(() => {
    if (!key || mode !== "sse") return;
    const source = new EventSource(`/api/v1/vlogs/stream?ids=${key}`);
    let errors = 0;
    source.addEventListener("vlog", (event) => {
      errors = 0;
      callback.current(JSON.parse((event as MessageEvent).data) as VlogView);
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

  useSWR<{ vlogs: VlogView[] }>(mode === "polling" && key ? `/api/v1/vlogs?limit=200` : null, fetchJson, {
    refreshInterval: 2_000,
    onSuccess: (data) => data.vlogs.filter((v) => ids.includes(v.id)).forEach((v) => callback.current(v)),
  });

  return mode;
}
