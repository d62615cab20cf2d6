"use client";

// The photo library: the uploader on top, a grid of your photos below. The grid is
// refreshed whenever an upload is accepted or finishes. "Select photos" turns the grid
// into checkboxes for making a vlog from the analysed photos picked.
import Link from "next/link";
import { useState } from "react";
import useSWR from "swr";
import type { MediaView } from "@/lib/media/view";
import { apiFetch } from "./api-fetch";
import { MakeVlogDialog } from "./make-vlog-dialog";
import { Uploader } from "./uploader";

export function Library({ initial, sharedId = null }: { initial: MediaView[]; sharedId?: string | null }) {
  const { data, mutate } = useSWR("/api/v1/media?limit=120", (url: string) => apiFetch<{ media: MediaView[] }>(url), {
    fallbackData: { media: initial },
    revalidateOnMount: false,
  });
  const media = data?.media ?? [];
  const [selecting, setSelecting] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [dialogOpen, setDialogOpen] = useState(false);
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const readyCount = media.filter((m) => m.status === "done").length;

  return (
    <div className="space-y-10">
      <Uploader onChange={() => mutate()} sharedId={sharedId} />
      <section aria-labelledby="library-heading">
        <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
          <h2 id="library-heading" className="text-lg font-semibold">Your library</h2>
          {readyCount > 0 && (
            <button type="button" aria-pressed={selecting}
              onClick={() => { setSelecting(!selecting); setSelected([]); }}
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100">
              {selecting ? "Cancel selection" : "Select photos"}
            </button>
          )}
        </div>
        {selecting && (
          <div className="sticky top-0 z-10 mb-4 flex flex-wrap items-center justify-between gap-3 rounded-lg border border-indigo-200 bg-indigo-50 px-4 py-2">
            <p role="status" className="text-sm text-indigo-900">
              {selected.length === 0 ? "Pick the photos for your vlog (analysed photos only)." : `${selected.length} photo${selected.length === 1 ? "" : "s"} selected`}
            </p>
            <button type="button" disabled={selected.length === 0} onClick={() => setDialogOpen(true)}
              className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50">
              Make a vlog
            </button>
          </div>
        )}
        <MakeVlogDialog open={dialogOpen} mediaIds={selected} onClose={() => setDialogOpen(false)} />
        {media.length === 0 ? (
          <p className="rounded-xl border border-slate-200 bg-white px-6 py-10 text-center text-slate-500">
            No photos yet. Drop some above and they will appear here once analysed.
          </p>
        ) : (
          <ul aria-label="Your photos" className="grid grid-cols-2 gap-3 sm:grid-cols-3 sm:gap-4 lg:grid-cols-5">
            {selecting && media.map((m) => (
              <li key={m.id}>
                <label className={`block overflow-hidden rounded-lg border-2 bg-white shadow-sm ${selected.includes(m.id) ? "border-indigo-600" : "border-transparent"} ${m.status === "done" ? "cursor-pointer" : "opacity-50"}`}>
                  <div className="relative flex aspect-square items-center justify-center bg-slate-100">
                    {m.thumbnailUrl ? (
                      // eslint-disable-next-line @next/next/no-img-element
                      <img src={m.thumbnailUrl} alt="" loading="lazy" className="h-full w-full object-cover" />
                    ) : (
                      <span className="px-2 text-center text-xs text-slate-500">{m.status === "failed" ? "Analysis failed" : "Not analysed yet"}</span>
                    )}
                    <input type="checkbox" checked={selected.includes(m.id)} disabled={m.status !== "done"} onChange={() => toggle(m.id)}
                      className="absolute left-2 top-2 h-5 w-5" aria-label={`Select ${m.name}`} />
                  </div>
                  <p className="truncate px-2 py-1.5 text-xs text-slate-700">{m.name}</p>
                </label>
              </li>
            ))}
            {!selecting && media.map((m) => (
              <li key={m.id}>
                <Link href={`/media/${m.id}`}
                  className="group block overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm hover:shadow-md">
                  <div className="flex aspect-square items-center justify-center bg-slate-100">
                    {m.thumbnailUrl ? (
                      // alt="": the name printed under the thumbnail already names the link.
                      // eslint-disable-next-line @next/next/no-img-element
                      <img src={m.thumbnailUrl} alt="" loading="lazy" className="h-full w-full object-cover" />
                    ) : (
                      <span className={`px-2 text-center text-xs ${m.status === "failed" ? "text-red-700" : "text-slate-500"}`}>
                        {m.status === "failed" ? "Analysis failed" : m.stageLabel ?? "Waiting…"}
                      </span>
                    )}
                  </div>
                  <p className="truncate px-2 py-1.5 text-xs text-slate-700">{m.name}</p>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
