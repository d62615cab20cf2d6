"use client";

// The photo library: the uploader on top, a grid of your photos below. The grid is
// refreshed whenever an upload is accepted or finishes. "Select photos" turns the grid
// into checkboxes (real ones, so keyboards and screen readers work) for making a vlog from
// the analysed photos picked, or deleting the picked photos after a confirmation. The search
// box replaces the grid with the photos whose tags, caption, camera or date match.
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import useSWR from "swr";
import type { SearchHit } from "@/lib/media/search";
import type { MediaView } from "@/lib/media/view";
import { apiFetch, errorMessage } from "./api-fetch";
import { ConfirmDialog } from "./confirm-dialog";
import { MakeVlogDialog } from "./make-vlog-dialog";
import { Uploader } from "./uploader";
import { useCoalesced } from "./use-coalesced";

/** Waits until typing pauses, so each keystroke does not cost a request. */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

function SearchResults({ q }: { q: string }) {
  const { data, error, isLoading } = useSWR(`/api/v1/media/search?q=${encodeURIComponent(q)}&limit=120`, (url: string) =>
    apiFetch<{ results: SearchHit[] }>(url),
  );
  const results = data?.results ?? [];
  return (
    <>
      <p role="status" className="mb-4 text-sm text-slate-600">
        {error
          ? `Search failed: ${(error as Error).message}`
          : isLoading
            ? "Searching…"
            : results.length === 0
              ? ""
              : `${results.length}${results.length === 120 ? "+" : ""} photo${results.length === 1 ? "" : "s"} match “${q}”.`}
      </p>
      {!isLoading && !error && results.length === 0 ? (
        <div className="rounded-xl border border-slate-200 bg-white px-6 py-10 text-center text-slate-600">
          <p className="font-medium text-slate-800">No photos match “{q}”.</p>
          <p className="mt-1 text-sm">Search looks at tags, captions, the camera and lens, and the year or month a photo was taken. Every word has to match.</p>
        </div>
      ) : (
        <ul className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5">
          {results.map((m) => (
            <li key={m.id}>
              <Link href={`/media/${m.id}`} className="group block overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm hover:shadow-md">
                <div className="flex aspect-square items-center justify-center bg-slate-100">
                  {m.thumbnailUrl && (
                    // eslint-disable-next-line @next/next/no-img-element
                    <img src={m.thumbnailUrl} alt="" loading="lazy" className="h-full w-full object-cover" />
                  )}
                </div>
                <p className="truncate px-2 pt-1.5 text-xs font-medium text-slate-800">{m.name}</p>
                <p className="line-clamp-2 px-2 pb-1.5 text-xs text-slate-600">{m.caption}</p>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/**
 * `resumableFrom`: files larger than this many bytes are uploaded resumably. `captionsBy`: the
 * remote provider that captions photos, null when that happens on this server.
 */
export function Library({
  initial,
  resumableFrom,
  sharedId = null,
  captionsBy = null,
}: {
  initial: MediaView[];
  resumableFrom?: number;
  sharedId?: string | null;
  captionsBy?: string | null;
}) {
  const { data, mutate } = useSWR("/api/v1/media?limit=120", (url: string) => apiFetch<{ media: MediaView[] }>(url), {
    fallbackData: { media: initial },
    revalidateOnMount: false,
  });
  const media = data?.media ?? [];
  // The grid follows the uploader's photos, reloaded at most once a second however many finish.
  const refreshSoon = useCoalesced(() => void mutate(), 1_000);
  const [selecting, setSelecting] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const selectButton = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  // After a delete the grid the focus was in is gone: put it back where the person started.
  // An effect, so it runs after the dialog's own (a closing <dialog> moves focus itself).
  useEffect(() => {
    if (refocus.current && !deleting) {
      refocus.current = false;
      selectButton.current?.focus();
    }
  }, [deleting, selecting]);
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const [query, setQuery] = useState("");
  const q = useDebounced(query.trim(), 250);
  const searching = q.length > 0;
  const ready = new Set(media.filter((m) => m.status === "done").map((m) => m.id));
  const selectedReady = selected.filter((id) => ready.has(id));
  const plural = (n: number) => `${n} photo${n === 1 ? "" : "s"}`;

  async function deleteSelected() {
    setDeleteError(null);
    try {
      const { deleted } = await apiFetch<{ deleted: string[]; notFound: string[] }>("/api/v1/media/delete", { json: { ids: selected } });
      await mutate();
      setDeleting(false);
      setSelecting(false);
      setSelected([]);
      setNotice(`${plural(deleted.length)} deleted.`);
      refocus.current = true;
    } catch (err) {
      setDeleteError(errorMessage(err));
    }
  }

  return (
    <div className="space-y-10">
      <Uploader onChange={refreshSoon} resumableFrom={resumableFrom} sharedId={sharedId} captionsBy={captionsBy} />
      <section aria-labelledby="library-heading">
        <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
          <h2 id="library-heading" className="text-lg font-semibold">Your library</h2>
          <form role="search" className="order-last w-full sm:order-none sm:w-auto sm:flex-1 sm:max-w-sm" onSubmit={(e) => e.preventDefault()}>
            <label htmlFor="library-search" className="sr-only">Search your photos</label>
            <input id="library-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)}
              placeholder="Search: dog, mountain, Canon, 2023…" maxLength={200} autoComplete="off"
              className="w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200" />
          </form>
          {media.length > 0 && !searching && (
            <button ref={selectButton} type="button" aria-pressed={selecting}
              onClick={() => { setSelecting(!selecting); setSelected([]); setNotice(null); }}
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100">
              {selecting ? "Cancel selection" : "Select photos"}
            </button>
          )}
        </div>
        {searching ? <SearchResults q={q} /> : <>
        {selecting && (
          <div className="sticky top-0 z-10 mb-4 flex flex-wrap items-center justify-between gap-3 rounded-lg border border-indigo-200 bg-indigo-50 px-4 py-2">
            <p role="status" className="text-sm text-indigo-900">
              {selected.length === 0
                ? "Pick photos to make a vlog of (analysed ones) or to delete."
                : `${plural(selected.length)} selected${selectedReady.length < selected.length ? ` (${selectedReady.length} analysed)` : ""}`}
            </p>
            <div className="flex flex-wrap gap-2">
              <button type="button" onClick={() => setSelected(selected.length === media.length ? [] : media.map((m) => m.id))}
                className="min-h-11 rounded-md border border-indigo-300 bg-white px-3 text-sm font-medium text-indigo-900 hover:bg-indigo-100">
                {selected.length === media.length ? "Select none" : "Select all"}
              </button>
              <button type="button" disabled={selected.length === 0} onClick={() => { setDeleteError(null); setDeleting(true); }}
                className="min-h-11 rounded-md border border-red-300 bg-white px-3 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-50">
                Delete…
              </button>
              <button type="button" disabled={selectedReady.length === 0} onClick={() => setDialogOpen(true)}
                className="min-h-11 rounded-md bg-indigo-600 px-3 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50">
                Make a vlog
              </button>
            </div>
          </div>
        )}
        <p role="status" aria-live="polite" className={notice ? "mb-4 text-sm text-green-800" : "sr-only"}>{notice}</p>
        <MakeVlogDialog open={dialogOpen} mediaIds={selectedReady} onClose={() => setDialogOpen(false)} />
        <ConfirmDialog open={deleting} title={`Delete ${plural(selected.length)}?`} confirm="Delete" danger
          onConfirm={deleteSelected} onCancel={() => setDeleting(false)}>
          <p>The {selected.length === 1 ? "photo, its thumbnail and its analysis are" : "photos, their thumbnails and their analysis are"} deleted for good.</p>
          <p>Vlogs made with {selected.length === 1 ? "it" : "them"} keep their video; their storyboard shows the shot as removed.</p>
          {deleteError && <p role="alert" className="text-red-700">{deleteError}</p>}
        </ConfirmDialog>
        {media.length === 0 ? (
          <p className="rounded-xl border border-slate-200 bg-white px-6 py-10 text-center text-slate-500">
            No photos yet. Drop some above and they will appear here once analysed.
          </p>
        ) : (
          <ul aria-label="Your photos" className="grid grid-cols-2 gap-3 sm:grid-cols-3 sm:gap-4 lg:grid-cols-5">
            {selecting && media.map((m) => (
              <li key={m.id}>
                <label className={`block cursor-pointer overflow-hidden rounded-lg border-2 bg-white shadow-sm focus-within:ring-2 focus-within:ring-indigo-500 ${selected.includes(m.id) ? "border-indigo-600" : "border-transparent"}`}>
                  <div className="relative flex aspect-square items-center justify-center bg-slate-100">
                    {m.thumbnailUrl ? (
                      // eslint-disable-next-line @next/next/no-img-element
                      <img src={m.thumbnailUrl} alt="" loading="lazy" className="h-full w-full object-cover" />
                    ) : (
                      <span className="px-2 text-center text-xs text-slate-600">{m.status === "failed" ? "Analysis failed" : "Not analysed yet"}</span>
                    )}
                    <input type="checkbox" checked={selected.includes(m.id)} onChange={() => toggle(m.id)}
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
                      <span className={`px-2 text-center text-xs ${m.status === "failed" ? "text-red-700" : "text-slate-600"}`}>
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
        </>}
      </section>
    </div>
  );
}
