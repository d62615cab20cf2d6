"use client";

// The admin overview, kept live by the server: one SSE stream pushes a new overview
// whenever a queue changes. Counts per queue, last hour's throughput, the live workers with
// each queue's concurrency and why it last changed, per job type the last hour's figures,
// and failed jobs grouped by error message with the photo and a retry button per job and per group.
import { useEffect, useState } from "react";
import type { FailedGroupView, JobTypeView, Overview, WorkerView } from "@/lib/admin/overview";
import { apiFetch, errorMessage } from "../api-fetch";
import { ThroughputChart } from "./throughput-chart";

type Connection = "connecting" | "live" | "reconnecting";

const STATES = [
  ["waiting", "Waiting"],
  ["active", "Active"],
  ["delayed", "Delayed"],
  ["completed", "Completed"],
  ["failed", "Failed"],
] as const;

const when = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "—");
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Why the autoscaler last changed a queue's concurrency, in words. */
const REASONS: Record<string, string> = {
  cpu: "CPU busy",
  memory: "memory high",
  event_loop: "event loop slow",
  backlog: "jobs waiting",
  idle: "queue idle",
};

/** "3 min ago", measured against the overview's own time (the server's clock, not the browser's). */
function ago(iso: string, nowIso: string): string {
  const s = Math.max(0, Math.round((Date.parse(nowIso) - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function duration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

const percent = (share: number | null) => (share === null ? "—" : `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0)} %`);

export function OverviewLive({ initial }: { initial: Overview }) {
  const [overview, setOverview] = useState(initial);
  const [connection, setConnection] = useState<Connection>("connecting");
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    const source = new EventSource("/api/admin/overview/stream");
    source.onopen = () => setConnection("live");
    source.onerror = () => setConnection("reconnecting");
    source.addEventListener("overview", (e) => {
      setOverview(JSON.parse((e as MessageEvent).data));
      setConnection("live");
      setProblem(null);
    });
    source.addEventListener("problem", (e) => setProblem(JSON.parse((e as MessageEvent).data).message));
    return () => source.close();
  }, []);

  async function retry(body: { queue: string; jobId: string } | { queue: string; message: string }) {
    setNotice(null);
    try {
      const { retried } = await apiFetch<{ retried: number }>("/api/admin/retry", { json: body });
      setNotice({ ok: true, text: `Retrying ${plural(retried, "job")}.` });
    } catch (err) {
      setNotice({ ok: false, text: errorMessage(err) });
    }
  }

  const { failed } = overview;
  return (
    <div className="space-y-10">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Queues</h1>
        <div className="flex items-center gap-4 text-sm">
          <span data-testid="connection" data-state={connection} className="inline-flex items-center gap-2 text-slate-600">
            <span aria-hidden className={`h-2.5 w-2.5 rounded-full ${connection === "live" ? "bg-emerald-500" : "bg-amber-400"}`} />
            {connection === "live" ? "Live" : connection === "connecting" ? "Connecting…" : "Reconnecting…"}
          </span>
          {/* Bull Board is a route handler, not a Next page: it needs a full page load, not <Link>. */}
          {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
          <a href="/admin/queues" className="inline-flex min-h-11 items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium hover:bg-slate-100">
            Open Bull Board
          </a>
        </div>
      </div>
      {problem && <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">{problem}</p>}

      <section aria-labelledby="queues-heading" className="space-y-4">
        <h2 id="queues-heading" className="sr-only">Queue counts and throughput</h2>
        {overview.queues.map((q) => (
          <article key={q.name} data-testid="queue" data-queue={q.name}
            className="grid gap-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm lg:grid-cols-[1fr_minmax(0,28rem)]">
            <div>
              <h3 className="flex items-center gap-2 font-semibold">
                {q.name}
                {q.paused && <span className="rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900">Paused</span>}
              </h3>
              <dl className="mt-4 grid grid-cols-3 gap-3 sm:grid-cols-5">
                {STATES.map(([state, label]) => (
                  <div key={state} className="rounded-lg bg-slate-50 px-3 py-2">
                    <dt className="text-xs text-slate-500">{label}</dt>
                    <dd data-testid={`count-${state}`}
                      className={`text-xl font-semibold tabular-nums ${state === "failed" && q.counts.failed > 0 ? "text-red-700" : ""}`}>
                      {q.counts[state].toLocaleString("en")}
                    </dd>
                  </div>
                ))}
              </dl>
            </div>
            <ThroughputChart label={`${q.name} throughput`} completed={q.throughput.completed} failed={q.throughput.failed} />
          </article>
        ))}
      </section>

      <WorkersSection workers={overview.workers} at={overview.at} />
      <JobTypesSection types={overview.jobTypes} />

      <section aria-labelledby="failed-heading" className="space-y-4">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="failed-heading" className="text-lg font-semibold">Failed jobs by error</h2>
          {failed.total > failed.scanned && (
            <p className="text-sm text-slate-500">
              Grouped from the newest {failed.scanned.toLocaleString("en")} of {failed.total.toLocaleString("en")} failed jobs.
            </p>
          )}
        </div>
        {notice && (
          <p role="status" className={`rounded-md px-3 py-2 text-sm ${notice.ok ? "bg-emerald-50 text-emerald-900" : "bg-red-50 text-red-800"}`}>
            {notice.text}
          </p>
        )}
        {failed.groups.length === 0 ? (
          <p className="rounded-xl border border-slate-200 bg-white px-6 py-8 text-center text-slate-500">No failed jobs. All clear.</p>
        ) : (
          failed.groups.map((group) => <FailedGroupCard key={`${group.queue}:${group.message}`} group={group} onRetry={retry} />)
        )}
      </section>
    </div>
  );
}

function FailedGroupCard({ group, onRetry }: { group: FailedGroupView; onRetry: (body: { queue: string; jobId: string } | { queue: string; message: string }) => void }) {
  return (
    <article data-testid="failed-group" className="rounded-xl border border-red-200 bg-white shadow-sm">
      <header className="flex flex-wrap items-start justify-between gap-3 border-b border-red-100 px-5 py-4">
        <div className="min-w-0 space-y-1">
          <p className="font-medium text-red-800" data-testid="failed-message">{group.message}</p>
          <p className="text-xs text-slate-500">
            <span className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-slate-700">{group.queue}</span>
            {" · "}<span data-testid="failed-count">{plural(group.count, "job")}</span>
            {" · last failed "}{when(group.lastFailedAt)}
          </p>
        </div>
        <button type="button" onClick={() => onRetry({ queue: group.queue, message: group.message })}
          className="shrink-0 rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">
          Retry all {group.count}
        </button>
      </header>
      <ul className="divide-y divide-slate-100">
        {group.jobs.map((job) => (
          <li key={job.id} data-testid="failed-job" className="flex items-center gap-4 px-5 py-3">
            <div className="flex h-14 w-14 shrink-0 items-center justify-center overflow-hidden rounded-md bg-slate-100">
              {job.media ? (
                // eslint-disable-next-line @next/next/no-img-element
                <img src={`/api/admin/media/${job.media.id}/thumbnail`} alt={job.media.name} loading="lazy"
                  className="h-full w-full object-cover"
                  onError={(e) => ((e.currentTarget as HTMLImageElement).style.visibility = "hidden")} />
              ) : (
                <span className="text-[10px] text-slate-600">no photo</span>
              )}
            </div>
            <div className="min-w-0 flex-1 text-sm">
              <p className="truncate font-medium">{job.media?.name ?? job.name}</p>
              <p className="truncate text-xs text-slate-500">
                <span className="font-mono">{job.id}</span> · {plural(job.attemptsMade, "attempt")} · {when(job.failedAt)}
              </p>
            </div>
            <button type="button" onClick={() => onRetry({ queue: job.queue, jobId: job.id })}
              aria-label={`Retry ${job.media?.name ?? job.id}`}
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100">
              Retry
            </button>
          </li>
        ))}
        {group.count > group.jobs.length && (
          <li className="px-5 py-2 text-xs text-slate-500">…and {group.count - group.jobs.length} more with this message.</li>
        )}
      </ul>
    </article>
  );
}

function WorkersSection({ workers, at }: { workers: WorkerView[]; at: string }) {
  return (
    <section aria-labelledby="workers-heading" className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="workers-heading" className="text-lg font-semibold">Workers</h2>
        <p className="text-sm text-slate-500">{plural(workers.length, "worker process")} reporting</p>
      </div>
      {workers.length === 0 ? (
        <p className="rounded-xl border border-slate-200 bg-white px-6 py-8 text-center text-slate-500">
          No worker has reported in the last few seconds: jobs wait until one runs (<code className="font-mono">npm run worker</code>).
        </p>
      ) : (
        workers.map((w) => (
          <article key={w.id} data-testid="worker" data-worker={w.id} className="rounded-xl border border-slate-200 bg-white shadow-sm">
            <header className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-100 px-5 py-3">
              <div className="min-w-0 text-sm">
                <p className="truncate font-medium">
                  {w.host} <span className="font-normal text-slate-500">· pid {w.pid}</span>
                </p>
                <p className="text-xs text-slate-500">
                  Up since {when(w.startedAt)} ·{" "}
                  {w.autoscale ? `sizes its queues between ${w.min} and ${w.max} jobs at once` : "fixed concurrency (autoscaling off)"}
                </p>
              </div>
              {w.load && (
                <dl className="flex gap-4 text-xs" data-testid="worker-load">
                  <Figure label="CPU" value={percent(w.load.cpu)} />
                  <Figure label="Memory" value={percent(w.load.memory)} />
                  <Figure label="Event loop p99" value={duration(Math.round(w.load.eventLoopP99Ms))} />
                </dl>
              )}
            </header>
            {/* On the narrowest phones the four columns are wider than the screen: the table
                scrolls inside its own box (focusable, so a keyboard can scroll it too). */}
            <div role="region" aria-label={`Queues of ${w.host}, pid ${w.pid}`} tabIndex={0} className="overflow-x-auto">
              <table className="w-full text-sm">
                <thead className="text-left text-xs text-slate-500">
                  <tr>
                    <th scope="col" className="px-5 py-2 font-medium">Queue</th>
                    <th scope="col" className="px-3 py-2 font-medium">Concurrency</th>
                    <th scope="col" className="px-3 py-2 font-medium">Running</th>
                    <th scope="col" className="px-5 py-2 font-medium">Last change</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {w.queues.map((q) => (
                    <tr key={q.queue} data-testid="worker-queue" data-queue={q.queue}>
                      <td className="px-5 py-2 font-mono text-xs">{q.queue}</td>
                      <td className="px-3 py-2">
                        <span data-testid="concurrency" className="font-semibold tabular-nums">{q.concurrency}</span>{" "}
                        <span className="text-xs text-slate-500">{q.autoscaled ? "auto" : "fixed"}</span>
                      </td>
                      <td className="px-3 py-2 tabular-nums">{q.running}</td>
                      <td className="px-5 py-2 text-slate-600" data-testid="last-change">
                        {q.lastChange ? (
                          <>
                            {q.lastChange.from} → {q.lastChange.to}{" "}
                            <span className={`rounded px-1.5 py-0.5 text-xs ${q.lastChange.to < q.lastChange.from ? "bg-amber-50 text-amber-900" : "bg-emerald-50 text-emerald-900"}`}>
                              {REASONS[q.lastChange.reason] ?? q.lastChange.reason}
                            </span>{" "}
                            <span className="text-xs text-slate-500">{ago(q.lastChange.at, at)}</span>
                          </>
                        ) : (
                          "—"
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </article>
        ))
      )}
    </section>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-slate-500">{label}</dt>
      <dd className="font-semibold tabular-nums">{value}</dd>
    </div>
  );
}

function JobTypesSection({ types }: { types: JobTypeView[] }) {
  return (
    <section aria-labelledby="types-heading" className="space-y-4">
      <h2 id="types-heading" className="text-lg font-semibold">Job types, last hour</h2>
      {types.length === 0 ? (
        <p className="rounded-xl border border-slate-200 bg-white px-6 py-8 text-center text-slate-500">No job finished in the last hour.</p>
      ) : (
        // On a phone the table scrolls sideways inside its box: focusable, so keyboards can too.
        <div role="region" aria-label="Job types table" tabIndex={0} className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-sm">
            <thead className="text-left text-xs text-slate-500">
              <tr>
                <th scope="col" className="px-5 py-2 font-medium">Type</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Completed</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Failed</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Failure rate</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">p50</th>
                <th scope="col" className="px-5 py-2 text-right font-medium">p95</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 tabular-nums">
              {types.map((t) => (
                <tr key={`${t.queue}/${t.type}`} data-testid="job-type" data-type={t.type}>
                  <td className="px-5 py-2">
                    <span className="font-medium">{t.type}</span> <span className="font-mono text-xs text-slate-500">{t.queue}</span>
                  </td>
                  <td className="px-3 py-2 text-right">{t.completed.toLocaleString("en")}</td>
                  <td className={`px-3 py-2 text-right ${t.failed > 0 ? "text-red-700" : ""}`}>{t.failed.toLocaleString("en")}</td>
                  <td className="px-3 py-2 text-right">{percent(t.failureRate)}</td>
                  <td className="px-3 py-2 text-right">{duration(t.p50Ms)}</td>
                  <td className="px-5 py-2 text-right">{duration(t.p95Ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="border-t border-slate-100 px-5 py-2 text-xs text-slate-500">
            Throughput is jobs finished in the last 60 minutes. Durations are processing time of completed jobs (AI jobs: start to finish, retries included).
          </p>
        </div>
      )}
    </section>
  );
}
