// AI jobs as a live kind: what a page (or a program) following jobs is sent
// (lib/events/kinds.ts). Published after every change of a job, in the worker and the web app.
import { defineLive } from "@/lib/events/kinds";
import { publish } from "@/lib/events/publish";
import { findOwnedJobs, type JobRow } from "./repository";
import { isTerminalJob, toJobView } from "./view";

export const jobLive = defineLive("job", {
  load: async (db, ownerId, ids) => (await findOwnedJobs(db, ownerId, ids)).map(toJobView),
  idOf: (job) => job.job_id,
  isTerminal: (job) => isTerminalJob(job.status),
});

/** Tells every open stream following this job about its current state. */
export function publishJob(row: JobRow): Promise<string> {
  return publish(jobLive, row.ownerId, toJobView(row));
}
