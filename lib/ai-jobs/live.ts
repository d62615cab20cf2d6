// AI jobs as a live kind: what a page following jobs is sent.
// Placeholder until the live pipeline (lib/events/kinds.ts) is on main: then this declares
// the "job" kind and publishJob publishes through it.
import type { JobRow } from "./repository";

export async function publishJob(row: JobRow): Promise<void> {
  void row;
}

/** Placeholder for the live pipeline's polling fallback. */
export async function pollJobs(ownerId: string, url: URL): Promise<Response> {
  void ownerId;
  void url;
  return Response.json({ jobs: [] });
}
