"use client";

// Your jobs, newest first: filter by status and type, "Load more" by cursor, and live
// progress for those still queued or running (one stream for all of them). Status changes
// are announced once, politely, instead of every badge being a live region.
import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import { isTerminalJob, type JobStatusName, type JobView } from "@/lib/ai-jobs/view";
import { LIVE_KINDS } from "@/lib/events/kinds";
import { apiFetch, errorMessage } from "../api-fetch";
import { ProgressBar } from "../progress-bar";
import { useLive } from "../use-live";
import { JOB_STATUSES, JOB_TYPES, STATUS_LABELS, TYPE_LABELS, formatWhen, priorityName, shortId, typeLabel } from "./job-format";
import { JobStatusBadge } from "./job-status-badge";

const PAGE = 20;

export interface JobPage {
  jobs: JobView[];
  next_cursor: string | null;
}

interface Filters {
  status: JobStatusName | "";
  type: string;
}

const query = (filters: Filters, cursor: string | null) => {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (filters.status) q.set("status", filters.status);
  if (filters.type) q.set("type", filters.type);
  if (cursor) q.set("cursor", cursor);
  return `/api/v1/jobs?${q}`;
};

/** The list's state, lifted so the form can add a job it just created. */
export function useJobList(initial: JobPage) {
  const [jobs, setJobs] = useState(initial.jobs);
  const [cursor, setCursor] = useState(initial.next_cursor);
  const [filters, setFilters] = useState<Filters>({ status: "", type: "" });
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");

  async function load(next: Filters, after: string | null) {
    setLoading(true);
    setError(null);
    try {
      const page = await apiFetch<JobPage>(query(next, after));
      setJobs((list) => {
        const base = after ? list : [];
        return [...base, ...page.jobs.filter((j) => !base.some((b) => b.job_id === j.job_id))];
      });
      setCursor(page.next_cursor);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }

  // One stream follows at most maxIds jobs: the newest unfinished ones (more than that
  // running at once is rare; their rows catch up when the page is loaded again).
  const live = jobs.filter((j) => !isTerminalJob(j.status)).map((j) => j.job_id).slice(0, LIVE_KINDS.job.maxIds);
  const latest = useRef(jobs);
  useEffect(() => {
    latest.current = jobs;
  });
  useLive("job", live, (update) => {
    const old = latest.current.find((j) => j.job_id === update.job_id);
    if (!old || update.version <= old.version) return;
    if (update.status !== old.status) setAnnouncement(`${typeLabel(update.type)} job ${shortId(update.job_id)}: ${STATUS_LABELS[update.status]}.`);
    setJobs((list) => list.map((j) => (j.job_id === update.job_id && update.version > j.version ? update : j)));
  });

  return {
    jobs,
    cursor,
    filters,
    loading,
    error,
    announcement,
    filter(next: Filters) {
      setFilters(next);
      void load(next, null);
    },
    loadMore: () => load(filters, cursor),
    /** A job just created here: on top, if the filters let it through. */
    add(job: JobView) {
      if ((filters.status && job.status !== filters.status) || (filters.type && job.type !== filters.type)) return;
      setJobs((list) => [job, ...list.filter((j) => j.job_id !== job.job_id)]);
    },
  };
}

export type JobListState = ReturnType<typeof useJobList>;

const selectClass = "mt-1 block min-h-11 w-full rounded-md border border-slate-300 bg-white px-3 text-base";

export function JobList({ list, empty }: { list: JobListState; empty: React.ReactNode }) {
  const uid = useId();
  const { jobs, filters, loading } = list;
  const filtered = filters.status !== "" || filters.type !== "";
  return (
    <section aria-labelledby={`${uid}-heading`} className="space-y-4">
      <h2 id={`${uid}-heading`} className="text-lg font-semibold">Your jobs</h2>
      {(jobs.length > 0 || filtered) && (
        <div className="grid grid-cols-2 gap-3">
          <div>
            <label htmlFor={`${uid}-status`} className="text-sm font-medium text-slate-700">Status</label>
            <select id={`${uid}-status`} value={filters.status} className={selectClass}
              onChange={(e) => list.filter({ ...filters, status: e.target.value as Filters["status"] })}>
              <option value="">All</option>
              {JOB_STATUSES.map((s) => <option key={s} value={s}>{STATUS_LABELS[s]}</option>)}
            </select>
          </div>
          <div>
            <label htmlFor={`${uid}-type`} className="text-sm font-medium text-slate-700">Type</label>
            <select id={`${uid}-type`} value={filters.type} className={selectClass}
              onChange={(e) => list.filter({ ...filters, type: e.target.value })}>
              <option value="">All</option>
              {JOB_TYPES.map((t) => <option key={t} value={t}>{TYPE_LABELS[t]}</option>)}
            </select>
          </div>
        </div>
      )}
      <p className="sr-only" aria-live="polite">{list.announcement}</p>
      {list.error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{list.error}</p>}
      {jobs.length === 0 && !loading && (filtered ? <p className="text-sm text-slate-600">No jobs match these filters.</p> : empty)}
      {jobs.length > 0 && (
        <ul className="space-y-3" aria-busy={loading || undefined}>
          {jobs.map((job) => <JobRow key={job.job_id} job={job} />)}
        </ul>
      )}
      {list.cursor && (
        <button type="button" onClick={() => list.loadMore()} disabled={loading}
          className="min-h-11 w-full rounded-md border border-slate-300 bg-white px-4 text-sm font-medium hover:bg-slate-100 disabled:opacity-60">
          {loading ? "Loading…" : "Load more"}
        </button>
      )}
    </section>
  );
}

function JobRow({ job }: { job: JobView }) {
  const terminal = isTerminalJob(job.status);
  return (
    <li data-testid="job-row" data-job-id={job.job_id} data-status={job.status}>
      <Link href={`/jobs/${job.job_id}`}
        className="block space-y-2 rounded-xl border border-slate-200 bg-white p-3 shadow-sm hover:border-indigo-300 hover:shadow">
        <span className="flex items-center justify-between gap-3">
          <span className="min-w-0 truncate font-medium text-slate-900">{typeLabel(job.type)}</span>
          <JobStatusBadge status={job.status} />
        </span>
        <span className="block text-xs text-slate-500">
          {shortId(job.job_id)} · {formatWhen(job.created_at)} · {priorityName(job.priority)}
          {job.children.length > 0 ? ` · ${job.children.length} jobs` : ""}
        </span>
        {!terminal && (
          <ProgressBar label={`Progress of ${typeLabel(job.type)} job ${shortId(job.job_id)}`} value={job.progress / 100}
            valueText={`${job.progress} %`} />
        )}
        {job.status === "failed" && job.error && <span className="block text-sm text-red-800">{job.error.message}</span>}
      </Link>
    </li>
  );
}
