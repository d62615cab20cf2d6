"use client";

// The Jobs page's interactive part: the "Try a job" form beside the live list of your
// jobs; a job started with the form appears on top of the list at once.
import type { JobPage } from "./job-list";
import { JobForm } from "./job-form";
import { JobList, useJobList } from "./job-list";

export function JobsWorkspace({ initial, isAdmin, empty }: { initial: JobPage; isAdmin: boolean; empty: React.ReactNode }) {
  const list = useJobList(initial);
  return (
    <div className="grid grid-cols-1 gap-8 lg:grid-cols-2 lg:items-start">
      <div className="rounded-xl border border-slate-200 bg-white p-4 sm:p-6">
        <JobForm isAdmin={isAdmin} onCreated={list.add} />
      </div>
      <JobList list={list} empty={empty} />
    </div>
  );
}
