// A workflow's steps in order, each with its phase, label and outcome (running percent,
// attempts, time taken, error): the per-step view of the vlog and podcast pages.
import type { StepStatus } from "@/lib/workflow/types";
import type { StepView } from "@/lib/workflow/view";


export function StepList({ steps }: { steps: readonly StepView[] }) {
  return (
    <ol className="grid gap-2 sm:grid-cols-2" aria-label="Steps">
      {steps.map((s) => (
        <li key={`${s.phase}-${s.step}`} data-testid="step" data-status={s.status}
          className="flex items-start justify-between gap-3 rounded-md border border-slate-100 px-3 py-2 text-sm">
          <span className="min-w-0">
            <span className="block text-xs text-slate-600">{s.phaseLabel}</span>
            <span className="font-medium">{s.label}</span>
            {s.error && <span className="block text-xs text-red-700">{s.error}</span>}
            {s.status === "running" && s.note && <span className="block text-xs text-slate-600">{s.note}</span>}
          </span>
          <span className="shrink-0 text-right text-xs text-slate-600">
            <StepBadge status={s.status} progress={s.progress} />
            {s.attempts > 1 && <span className="block">{s.attempts} attempts</span>}
            {s.durationMs != null && s.status === "succeeded" && <span className="block">{formatMs(s.durationMs)}</span>}
          </span>
        </li>
      ))}
    </ol>
  );
}

const BADGES: Record<StepStatus, string> = {
  pending: "Not started",
  queued: "Queued",
  running: "Running",
  retrying: "Retrying",
  succeeded: "Done",
  failed: "Failed",
};

function StepBadge({ status, progress }: { status: StepStatus; progress: number }) {
  const text = status === "running" ? `Running ${Math.round(progress * 100)}%` : (BADGES[status] ?? status);
  const tone = status === "succeeded" ? "text-emerald-700" : status === "failed" ? "text-red-700" : status === "running" ? "text-indigo-700" : "text-slate-600";
  return <span className={`block font-medium ${tone}`}>{text}</span>;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
