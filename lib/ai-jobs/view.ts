// The public JSON shape of an AI job (GET /api/v1/jobs/:id, lists and SSE): snake_case
// as the API's seed defines it. Nothing here reveals the owner, the token or the
// webhook URL's secret parts.
import type { JobRow } from "./repository";

export type JobStatusName = JobRow["status"];

export interface JobView {
  job_id: string;
  type: string;
  status: JobStatusName;
  progress: number;
  priority: number;
  result: unknown;
  error: { code: string; message: string; retryable: boolean } | null;
  attempts: number;
  provider: string | null;
  provider_notes: unknown;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  parent_id: string | null;
  children: { job_id: string; type: string; status: JobStatusName }[];
  webhook: boolean;
  /** Grows with every change; clients and SSE keep the highest they saw. */
  version: number;
}

export const TERMINAL_JOB_STATUSES: readonly JobStatusName[] = ["completed", "failed", "canceled"];

export const isTerminalJob = (status: JobStatusName) => TERMINAL_JOB_STATUSES.includes(status);

export function toJobView(row: JobRow): JobView {
  return {
    job_id: row.id,
    type: row.type,
    status: row.status,
    progress: row.progress,
    priority: row.priority,
    result: row.result ?? null,
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? "", retryable: row.errorRetryable ?? false } : null,
    attempts: row.attempts,
    provider: row.provider,
    provider_notes: row.providerNotes ?? null,
    usage: { inputTokens: row.inputTokens, outputTokens: row.outputTokens, costUsd: row.costUsd },
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    completed_at: row.completedAt?.toISOString() ?? null,
    parent_id: row.parentId,
    children: row.children.map((c) => ({ job_id: c.id, type: c.type, status: c.status })),
    webhook: row.webhookUrl !== null,
    version: row.version,
  };
}
