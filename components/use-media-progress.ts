"use client";

// Follows many photos at once over one live stream (see use-live-updates.ts).
import { useRef } from "react";
import type { MediaView } from "@/lib/media/view";
import { useLiveUpdates } from "./use-live-updates";

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
  return useLiveUpdates<MediaView>(
    {
      key,
      streamUrl: `/api/v1/media/stream?ids=${key}`,
      event: "media",
      pollUrl: `/api/v1/media?ids=${key}`,
      fromPoll: (data) => (data as { media: MediaView[] }).media,
    },
    onUpdate,
  );
}
