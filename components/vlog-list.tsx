"use client";

// Your vlogs, newest first, each with its live status while it is being made.
import Link from "next/link";
import { useState } from "react";
import { isTerminalVlog, type VlogView } from "@/lib/vlogs/view";
import { ProgressBar } from "./progress-bar";
import { useLive } from "./use-live";

export function VlogList({ initial }: { initial: VlogView[] }) {
  const [vlogs, setVlogs] = useState(initial);
  const live = vlogs.filter((v) => !isTerminalVlog(v.status) && v.status !== "storyboard_ready").map((v) => v.id);
  useLive("vlog", live, (update) =>
    setVlogs((list) => list.map((v) => (v.id === update.id && update.version > v.version ? update : v))),
  );
  return (
    <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
      {vlogs.map((v) => (
        <li key={v.id}>
          <Link href={`/vlogs/${v.id}`} className="block overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm hover:shadow-md">
            <div className="aspect-video bg-slate-100">
              {(v.posterUrl ?? v.thumbnailUrl) && (
                // eslint-disable-next-line @next/next/no-img-element
                <img src={v.posterUrl ?? v.thumbnailUrl!} alt="" className="h-full w-full object-cover" />
              )}
            </div>
            <div className="space-y-2 p-3">
              <p className="font-medium">{v.title}</p>
              <p className="text-sm text-slate-600">{v.statusLabel}{v.status === "failed" && v.error ? `: ${v.error}` : ""}</p>
              {!isTerminalVlog(v.status) && (
                <ProgressBar label={`Progress of ${v.title}`} valueText={`${Math.round(v.progress * 100)}%`} value={v.progress} />
              )}
            </div>
          </Link>
        </li>
      ))}
    </ul>
  );
}
