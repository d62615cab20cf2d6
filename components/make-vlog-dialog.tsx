"use client";

// The "Make a vlog" form: optional title, a style, the resolution, and whether to stop
// at the storyboard for review. A native <dialog> opened modally, so focus stays inside
// it and Escape closes it. On success it goes to the new vlog's page at once.
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { STYLES, STYLE_NAMES, type VlogStyle } from "@/lib/vlogs/plan";
import { apiFetch, errorMessage } from "./api-fetch";

export function MakeVlogDialog({ open, mediaIds, onClose }: { open: boolean; mediaIds: string[]; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const router = useRouter();
  const [title, setTitle] = useState("");
  const [style, setStyle] = useState<VlogStyle>("cinematic");
  const [resolution, setResolution] = useState<"720p" | "1080p">("720p");
  const [review, setReview] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { vlogId } = await apiFetch<{ vlogId: string }>("/api/v1/vlogs", {
        json: { mediaIds, title: title.trim() || null, style, resolution, autoProgress: !review },
      });
      router.push(`/vlogs/${vlogId}`);
    } catch (err) {
      setBusy(false);
      setError(errorMessage(err));
    }
  }

  return (
    <dialog
      ref={ref}
      aria-labelledby="make-vlog-heading"
      onClose={onClose}
      // m-auto: the reset stylesheet removes the margin that centres a modal dialog.
      className="m-auto max-h-[90vh] w-full max-w-lg overflow-auto rounded-xl border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/40 dark:backdrop:bg-black/60"
    >
      <form onSubmit={submit} className="space-y-5 p-6">
        <h2 id="make-vlog-heading" className="text-lg font-semibold">
          Make a vlog from {mediaIds.length} photo{mediaIds.length === 1 ? "" : "s"}
        </h2>
        <div className="space-y-1">
          <label htmlFor="vlog-title" className="block text-sm font-medium">Title <span className="font-normal text-slate-500">(optional)</span></label>
          <input id="vlog-title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={80}
            placeholder="We will suggest one from the photos"
            className="w-full rounded-md border border-slate-300 px-3 py-2" />
        </div>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Style</legend>
          {STYLE_NAMES.map((name) => (
            <label key={name} className="flex cursor-pointer gap-3 rounded-md border border-slate-200 p-2 has-[:checked]:border-indigo-500 has-[:checked]:bg-indigo-50">
              <input type="radio" name="style" value={name} checked={style === name} onChange={() => setStyle(name)} className="mt-1" />
              <span>
                <span className="block text-sm font-medium">{STYLES[name].label}</span>
                <span className="block text-xs text-slate-600">{STYLES[name].description}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="space-y-1">
          <label htmlFor="vlog-resolution" className="block text-sm font-medium">Resolution</label>
          <select id="vlog-resolution" value={resolution} onChange={(e) => setResolution(e.target.value as "720p" | "1080p")}
            className="rounded-md border border-slate-300 px-3 py-2">
            <option value="720p">720p (faster)</option>
            <option value="1080p">1080p</option>
          </select>
        </div>
        <label className="flex items-start gap-3 text-sm">
          <input type="checkbox" checked={review} onChange={(e) => setReview(e.target.checked)} className="mt-1" />
          <span>
            <span className="font-medium">Let me review the storyboard before rendering</span>
            <span className="block text-xs text-slate-600">Untick to go straight to the video.</span>
          </span>
        </label>
        {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
        <div className="flex justify-end gap-3">
          <button type="button" onClick={onClose} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100">
            Cancel
          </button>
          <button type="submit" disabled={busy} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
            {busy ? "Starting…" : "Start vlog"}
          </button>
        </div>
      </form>
    </dialog>
  );
}
