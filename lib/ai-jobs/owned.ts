// AI jobs as something a person owns (lib/account/owned.ts): nothing stored, deleted with the
// user row (cascade, webhook deliveries too), exported as one JSON list with their results.
import type { OwnedData } from "@/lib/account/owned";
import { allOwnedJobsForExport } from "./repository";

export const ownedAiJobs: OwnedData = {
  name: "AI jobs",
  async exportEntries(db, ownerId) {
    const jobs = await allOwnedJobsForExport(db, ownerId);
    return jobs.length > 0 ? [{ name: "ai-jobs.json", json: jobs }] : [];
  },
};
