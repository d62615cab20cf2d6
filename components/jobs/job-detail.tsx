"use client";

// A job's page: its live status and progress while it runs (one stream, polling if the
// stream fails), Cancel and Retry with what came of them, then the rendered result, the
// error, who did the work at what cost, webhook deliveries and the payload.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { isTerminalJob, type JobView } from "@/lib/ai-jobs/view";
import { apiFetch, errorMessage } from "../api-fetch";
import { ProgressBar } from "../progress-bar";
import { useLive } from "../use-live";
import { STATUS_LABELS, formatCost, formatDuration, formatWhen, priorityName, shortId, typeLabel } from "./job-format";
import { JobResult } from "./job-result";
import { JobStatusBadge } from "./job-status-badge";

export interface DeliveryView {
  id: string;
  attempt: number;
  /** The receiver's HTTP status; null when it could not be reached. */
  status: number | null;
  ok: boolean;
  error: string | null;
  durationMs: number | null;
  createdAt: string;
}

/** One line of the job's provider notes (lib/ai-jobs/execute.ts ProviderNote). */
interface Note {
  provider: string;
  /** Why: an error kind ("rate_limited", "circuit_open", …) or "fallback" (its answer was not used). */
  kind?: string;
  reason: string;
}

/** The providers passed over and why; tolerant of any shape (older rows, other writers). */
function readNotes(notes: unknown): Note[] {
  const list = Array.isArray(notes) ? notes : typeof notes === "object" && notes !== null ? (notes as { skipped?: unknown }).skipped : null;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (n): n is Note => typeof n === "object" && n !== null && typeof (n as Note).provider === "string" && typeof (n as Note).reason === "string",
  );
}

const button =
  "inline-flex min-h-11 items-center justify-center rounded-md border px-4 text-sm font-medium disabled:opacity-60";

export function JobDetail({ initial, payload, deliveries }: { initial: JobView; payload: unknown; deliveries: DeliveryView[] }) {
  const router = useRouter();
  const [job, setJob] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const terminal = isTerminalJob(job.status);

  const apply = (update: JobView) => setJob((current) => (update.version > current.version ? update : current));
  useLive("job", terminal ? [] : [job.job_id], apply);
  // Once it finishes, the server part of the page (webhook deliveries) is read again.
  const wasTerminal = useRef(terminal);
  useEffect(() => {
    if (terminal && !wasTerminal.current) router.refresh();
    wasTerminal.current = terminal;
  }, [terminal, router]);

  async function act(action: "cancel" | "retry") {
    setBusy(true);
    setOutcome(null);
    try {
      // The answer is the job's view after the change.
      const fresh = await apiFetch<JobView>(`/api/v1/jobs/${job.job_id}/${action}`, { method: "POST" });
      apply(fresh);
      setOutcome({
        ok: true,
        text:
          action === "retry"
            ? "The job was queued again."
            : fresh.status === "canceled"
              ? "The job was canceled."
              : "Cancel requested: the job stops at its next step.",
      });
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  }

  const notes = readNotes(job.provider_notes);
  const duration = job.started_at && job.completed_at ? Date.parse(job.completed_at) - Date.parse(job.started_at) : null;
  const facts: [string, React.ReactNode][] = [
    ["Job id", <code key="id" className="break-all text-xs">{job.job_id}</code>],
    ["Type", <code key="type" className="text-xs">{job.type}</code>],
    ["Priority", priorityName(job.priority)],
    ["Created", formatWhen(job.created_at)],
    ["Started", formatWhen(job.started_at)],
    ["Finished", formatWhen(job.completed_at)],
    ...(duration !== null ? ([["Took", formatDuration(duration)]] as [string, string][]) : []),
    ["Attempts", String(job.attempts)],
    ["Provider", job.provider ?? "—"],
    ["Tokens", `${job.usage.inputTokens.toLocaleString("en")} in · ${job.usage.outputTokens.toLocaleString("en")} out`],
    ["Estimated cost", formatCost(job.usage.costUsd)],
    ["Webhook", job.webhook ? "Called when the job finishes" : "None"],
  ];

  return (
    <div className="space-y-8">
      <header className="space-y-3">
        {job.parent_id && (
          <p className="text-sm text-slate-600">
            Part of <Link href={`/jobs/${job.parent_id}`} className="text-indigo-700 underline">batch {shortId(job.parent_id)}</Link>
          </p>
        )}
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">{typeLabel(job.type)}</h1>
          <JobStatusBadge status={job.status} />
        </div>
        <p className="text-sm text-slate-600">Job {shortId(job.job_id)} · created {formatWhen(job.created_at)}</p>
      </header>

      <section aria-label="Status" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4">
        {/* Announced when it changes; the bar's percentage is read on demand. */}
        <p role="status" className="text-sm text-slate-800" data-testid="job-status-line">
          {STATUS_LABELS[job.status]}
          {job.status === "running" ? ` — ${job.progress} %` : ""}
          {job.status === "queued" ? " — waiting for a worker" : ""}
          {terminal && duration !== null ? ` after ${formatDuration(duration)}` : ""}
        </p>
        {!terminal && (
          <ProgressBar label="Job progress" value={job.progress / 100} valueText={`${job.progress} %`} tone="active" />
        )}
        {(!terminal || job.status === "failed") && (
          <div className="flex flex-wrap gap-3">
            {!terminal && (
              <button type="button" disabled={busy} onClick={() => act("cancel")}
                className={`${button} border-slate-300 bg-white text-red-800 hover:bg-red-50`}>
                {busy ? "Canceling…" : "Cancel job"}
              </button>
            )}
            {job.status === "failed" && (
              <button type="button" disabled={busy} onClick={() => act("retry")}
                className={`${button} border-indigo-600 bg-indigo-600 text-white hover:bg-indigo-700`}>
                {busy ? "Retrying…" : "Retry"}
              </button>
            )}
          </div>
        )}
        {outcome && (
          <p role={outcome.ok ? "status" : "alert"} className={`text-sm ${outcome.ok ? "text-emerald-800" : "text-red-800"}`}>{outcome.text}</p>
        )}
      </section>

      {job.status === "canceled" && (
        <p className="rounded-xl border border-amber-200 bg-amber-50 p-4 text-amber-900">
          This job was canceled{job.completed_at ? ` at ${formatWhen(job.completed_at)}` : ""}; it did not finish its work.
        </p>
      )}

      {job.error && job.status !== "canceled" && (
        <section aria-labelledby="error-heading" className="space-y-1 rounded-xl border border-red-200 bg-red-50 p-4 text-red-900">
          <h2 id="error-heading" className="font-semibold">What went wrong</h2>
          <p>{job.error.message}</p>
          <p className="text-sm">
            Code <code className="rounded bg-white/70 px-1">{job.error.code}</code> ·{" "}
            {job.error.retryable ? "a temporary problem: retrying may work." : "retrying the same request will not help."}
          </p>
        </section>
      )}

      {(job.result !== null || job.type === "batch_process") && (
        <section aria-labelledby="result-heading" className="space-y-3">
          <h2 id="result-heading" className="text-lg font-semibold">{job.type === "batch_process" ? "Jobs in this batch" : "Result"}</h2>
          <JobResult view={job} payload={payload} />
        </section>
      )}

      <section aria-labelledby="details-heading" className="space-y-3">
        <h2 id="details-heading" className="text-lg font-semibold">Details</h2>
        <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm sm:gap-x-6">
          {facts.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-slate-500">{k}</dt>
              <dd className="min-w-0 break-words text-slate-900">{v}</dd>
            </div>
          ))}
        </dl>
        {notes.length > 0 && (
          <div className="text-sm">
            <h3 className="font-medium text-slate-700">Providers passed over</h3>
            <ul className="mt-1 list-disc space-y-1 pl-5 text-slate-700">
              {notes.map((n, i) => (
                <li key={i}>
                  <span className="font-medium">{n.provider}</span>
                  {n.kind === "fallback" ? " answered, but its answer was not used" : ""}: {n.reason}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      {deliveries.length > 0 && (
        <section aria-labelledby="deliveries-heading" className="space-y-3">
          <h2 id="deliveries-heading" className="text-lg font-semibold">Webhook deliveries</h2>
          <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
            {deliveries.map((d) => (
              <li key={d.id} className="space-y-0.5 px-3 py-2">
                <p className="text-slate-600">
                  Attempt {d.attempt} · {formatWhen(d.createdAt)}{d.durationMs !== null ? ` · ${formatDuration(d.durationMs)}` : ""}
                </p>
                <p className={`break-words ${d.ok ? "text-emerald-800" : "text-red-800"}`}>
                  {d.ok ? "Delivered" : "Not delivered"}{d.status !== null ? ` (HTTP ${d.status})` : ""}{d.error ? `: ${d.error}` : ""}
                </p>
              </li>
            ))}
          </ol>
        </section>
      )}

      <details className="rounded-xl border border-slate-200 bg-white">
        <summary className="flex min-h-11 cursor-pointer items-center px-4 font-medium">Payload (JSON)</summary>
        <pre className="max-h-[32rem] overflow-auto whitespace-pre-wrap break-words border-t border-slate-200 bg-slate-50 p-4 text-xs leading-relaxed">
          {JSON.stringify(payload, null, 2)}
        </pre>
      </details>
    </div>
  );
}
