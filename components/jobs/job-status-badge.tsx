// A job's status as a coloured pill; the word carries the meaning, the colour only helps.
import type { JobStatusName } from "@/lib/ai-jobs/view";
import { STATUS_LABELS } from "./job-format";

const tones: Record<JobStatusName, string> = {
  queued: "bg-slate-100 text-slate-700 ring-slate-300",
  running: "bg-indigo-50 text-indigo-800 ring-indigo-300",
  completed: "bg-emerald-50 text-emerald-800 ring-emerald-300",
  failed: "bg-red-50 text-red-800 ring-red-300",
  canceled: "bg-amber-50 text-amber-900 ring-amber-300",
};

export function JobStatusBadge({ status }: { status: JobStatusName }) {
  return (
    <span data-testid="job-status" data-status={status}
      className={`inline-flex shrink-0 items-center rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset ${tones[status]}`}>
      {STATUS_LABELS[status]}
    </span>
  );
}
