"use client";

// Follows many entities over ONE Server-Sent Events stream; if the stream cannot be kept
// open (a proxy that buffers, repeated errors), falls back to polling with SWR. The media
// and vlog hooks are thin wrappers that say which stream, event and list to use.
import { useEffect, useRef, useState } from "react";
import useSWR from "swr";

const fetchJson = async (url: string) => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
};

export interface LiveSource<T> {
  /** Sorted, comma-joined ids; the stream re-opens when it changes, closes when empty. */
  key: string;
  streamUrl: string;
  /** The SSE event name that carries one entity. */
  event: string;
  pollUrl: string;
  /** The entities in a polled response that this hook follows. */
  fromPoll: (data: unknown) => T[];
}

export function useLiveUpdates<T>(source: LiveSource<T>, onUpdate: (item: T) => void) {
  const { key, streamUrl, event, pollUrl } = source;
  const [mode, setMode] = useState<"sse" | "polling">(() => (typeof EventSource === "undefined" ? "polling" : "sse"));
  const callback = useRef(onUpdate);
  const fromPoll = useRef(source.fromPoll);
  useEffect(() => {
    callback.current = onUpdate;
    fromPoll.current = source.fromPoll;
  });

  useEffect(() => {
    if (!key || mode !== "sse") return;
    const stream = new EventSource(streamUrl);
    let errors = 0;
    stream.addEventListener(event, (message) => {
      errors = 0;
      callback.current(JSON.parse((message as MessageEvent).data) as T);
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
  }, [key, mode, streamUrl, event]);

  useSWR(mode === "polling" && key ? pollUrl : null, fetchJson, {
    refreshInterval: 2_000,
    onSuccess: (data) => fromPoll.current(data).forEach((item) => callback.current(item)),
  });

  return mode;
}
