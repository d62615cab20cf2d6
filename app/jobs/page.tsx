// The Jobs page: try each AI job type with a form, and follow your jobs live.
import { JobsIntro } from "@/components/jobs/jobs-intro";
import { JobsWorkspace } from "@/components/jobs/jobs-workspace";
import { listOwnedJobs } from "@/lib/ai-jobs/repository";
import { toJobView } from "@/lib/ai-jobs/view";
import { requirePageUser } from "@/lib/auth/page";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";
export const metadata = { title: "Jobs · Framecast" };

export default async function JobsPage() {
  const user = await requirePageUser();
  const { rows, nextCursor } = await listOwnedJobs(db(), user.id, { limit: 20 });
  return (
    <>
      <h1 className="mb-2 text-2xl font-semibold tracking-tight">Jobs</h1>
      <p className="mb-6 max-w-prose text-slate-600">AI work that runs in the background: start one here or through the API.</p>
      <JobsWorkspace
        initial={{ jobs: rows.map(toJobView), next_cursor: nextCursor }}
        isAdmin={user.isAdmin}
        empty={<JobsIntro appUrl={env().APP_URL.replace(/\/$/, "")} />}
      />
    </>
  );
}
