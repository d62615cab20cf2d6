"use client";

// The finished vlog: the video with its poster frame, its length, a download link, and
// the public share link (copy, replace, revoke).
import { useState } from "react";
import type { VlogDetail } from "@/lib/vlogs/view";
import { apiFetch, errorMessage } from "./api-fetch";

export function VlogPlayer({ vlog, onChange }: { vlog: VlogDetail; onChange: (v: VlogDetail) => void }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  async function shareAction(method: "POST" | "DELETE") {
    setBusy(true);
    try {
      onChange(await apiFetch<VlogDetail>(`/api/v1/vlogs/${vlog.id}/share`, { method }));
      setMessage(method === "POST" ? "A new share link was made." : "The share link was revoked: it no longer works.");
    } catch (err) {
      setMessage(errorMessage(err));
    }
    setBusy(false);
  }

  async function copy() {
    if (!vlog.share) return;
    try {
      await navigator.clipboard.writeText(vlog.share.url);
      setMessage("Link copied.");
    } catch {
      setMessage("Copy the link from the box.");
    }
  }

  return (
    <section aria-labelledby="video-heading" className="space-y-4">
      <h2 id="video-heading" className="text-lg font-semibold">Video</h2>
      <video
        key={vlog.videoUrl}
        src={vlog.videoUrl!}
        poster={vlog.posterUrl ?? undefined}
        controls
        preload="metadata"
        playsInline
        aria-label={`${vlog.title} (video)`}
        className="aspect-video w-full max-w-3xl rounded-xl bg-black"
      />
      <p className="text-sm text-slate-600">
        {vlog.durationSec != null && <>{formatDuration(vlog.durationSec)} · </>}
        {vlog.width}×{vlog.height} ·{" "}
        <a href={vlog.downloadUrl!} className="font-medium text-indigo-700 hover:underline">Download MP4</a>
      </p>
      <div className="max-w-3xl space-y-2 rounded-xl border border-slate-200 bg-white p-4">
        <h3 className="text-sm font-semibold">Share</h3>
        {vlog.share ? (
          <>
            <label htmlFor="share-url" className="block text-sm text-slate-600">Anyone with this link can watch the video:</label>
            <div className="flex flex-wrap gap-2">
              <input id="share-url" readOnly value={vlog.share.url} onFocus={(e) => e.currentTarget.select()}
                className="min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 py-1.5 text-sm" />
              <button type="button" onClick={copy} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">Copy</button>
              <button type="button" disabled={busy} onClick={() => shareAction("DELETE")}
                className="rounded-md border border-red-200 px-3 py-1.5 text-sm text-red-700 hover:bg-red-50 disabled:opacity-50">
                Revoke link
              </button>
            </div>
          </>
        ) : (
          <div className="flex flex-wrap items-center gap-3">
            <p className="text-sm text-slate-600">Not shared. Only you can watch it.</p>
            <button type="button" disabled={busy} onClick={() => shareAction("POST")}
              className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-50">
              Create share link
            </button>
          </div>
        )}
        <p role="status" aria-live="polite" className="text-sm text-slate-700">{message}</p>
      </div>
    </section>
  );
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
