"use client";

// Shown on a photo's page while it is still being analysed: follows it live and
// reloads the page's data when it finishes.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { isTerminal, overallProgress } from "@/lib/media/progress";
import type { MediaView } from "@/lib/media/view";
import { ProgressBar } from "./progress-bar";
import { useLive } from "./use-live";

export function LiveStatus({ initial }: { initial: MediaView }) {
  const router = useRouter();
  const [media, setMedia] = useState(initial);
  useLive("media", isTerminal(media.status) ? [] : [media.id], (update) => {
    if (update.version < media.version) return;
    setMedia(update);
    if (isTerminal(update.status)) router.refresh();
  });
  const text = media.status === "analysing" ? `Analysing — ${media.stageLabel ?? "starting"}` : media.stageLabel ?? "Queued";
  return (
    <div className="space-y-2 rounded-xl border border-slate-200 bg-white p-4">
      <p role="status" className="text-sm text-slate-700">{text}</p>
      <ProgressBar label={`Progress of ${media.name}`} valueText={text}
        value={overallProgress({ phase: media.status, analysisProgress: media.progress })} />
    </div>
  );
}
