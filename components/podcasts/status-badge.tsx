// An episode's status as a coloured word (the colour is never the only signal).
import type { EpisodeStatus } from "./types";

const TONES: Record<EpisodeStatus, string> = {
  processing: "bg-indigo-50 text-indigo-800 ring-indigo-200",
  ready_for_review: "bg-amber-50 text-amber-900 ring-amber-300",
  no_speech: "bg-slate-100 text-slate-800 ring-slate-300",
  publishing: "bg-indigo-50 text-indigo-800 ring-indigo-200",
  published: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
};

/** `label` is the view's statusLabel, the same words the API gives. */
export function StatusBadge({ status, label }: { status: EpisodeStatus; label: string }) {
  return (
    <span data-testid="episode-status" data-status={status}
      className={`inline-flex shrink-0 items-center rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[status]}`}>
      {label}
    </span>
  );
}
