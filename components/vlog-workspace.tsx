"use client";

// A vlog's page: live progress (phase, step, percent, each step's outcome), the storyboard
// to review and edit, Render / Resume, and once rendered the player with download and
// share link. Live updates come over SSE; the full detail is refetched when the status
// changes (the storyboard or the video appeared).
import { useCallback, useEffect, useState } from "react";
import { isTerminalVlog, type VlogDetail, type VlogView } from "@/lib/vlogs/view";
import { DeleteVlogSection } from "./delete-vlog-section";
import { ProgressBar } from "./progress-bar";
import { StepList } from "./step-list";
import { StoryboardEditor } from "./storyboard-editor";
import { apiFetch, errorMessage } from "./api-fetch";
import { useLive } from "./use-live";
import { VlogPlayer } from "./vlog-player";

export function VlogWorkspace({ initial }: { initial: VlogDetail }) {
  const [vlog, setVlog] = useState<VlogDetail>(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    // A failed refresh keeps what is shown; the next update tries again.
    await apiFetch<VlogDetail>(`/api/v1/vlogs/${initial.id}`).then(setVlog, () => {});
  }, [initial.id]);

  const live = !isTerminalVlog(vlog.status);
  useLive("vlog", live ? [vlog.id] : [], (update: VlogView) => {
    setVlog((current) => {
      if (update.version <= current.version) return current;
      if (update.status !== current.status) void refresh();
      return { ...current, ...update };
    });
  });
  // A finished vlog whose stream ended still gets its final detail (video, share link).
  useEffect(() => {
    if (vlog.status === "completed" && !vlog.videoUrl) void refresh();
  }, [vlog.status, vlog.videoUrl, refresh]);

  async function act(path: "proceed" | "resume") {
    setBusy(true);
    setError(null);
    try {
      setVlog(await apiFetch<VlogDetail>(`/api/v1/vlogs/${vlog.id}/${path}`, { method: "POST" }));
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  }

  const percent = Math.round(vlog.progress * 100);
  const statusLine =
    vlog.status === "completed"
      ? "Your vlog is ready."
      : vlog.status === "failed"
        ? "A step failed."
        : vlog.status === "storyboard_ready"
          ? "The storyboard is ready: review it, then press Render."
          : vlog.status === "waiting"
            ? `Waiting for you to continue with ${vlog.phaseLabel} → ${vlog.stepLabel}.`
            : `${vlog.phaseLabel} → ${vlog.stepLabel}${vlog.note ? ` — ${vlog.note}` : ""}`;

  return (
    <div className="space-y-8">
      {/* Rendered here, not by the page, so the title the storyboard suggests shows up live. */}
      <header className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">{vlog.title}</h1>
        <p className="text-sm text-slate-600">{vlog.styleLabel} · {vlog.resolution} · {vlog.photoCount} photo{vlog.photoCount === 1 ? "" : "s"}</p>
      </header>
      <section aria-labelledby="progress-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="progress-heading" className="text-sm font-semibold uppercase tracking-wide text-slate-500">Progress</h2>
          <span className="text-sm text-slate-600">{vlog.statusLabel} · {percent}%</span>
        </div>
        <p role="status" aria-live="polite" className="text-sm text-slate-800" data-testid="vlog-status" data-status={vlog.status}>
          {statusLine}
        </p>
        <ProgressBar label="Vlog progress" valueText={`${percent}% — ${statusLine}`} value={vlog.progress}
          tone={vlog.status === "failed" ? "failed" : vlog.status === "completed" ? "done" : "active"} />
        <StepList steps={vlog.steps} />
        {vlog.status === "failed" && (
          <div role="alert" className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-red-200 bg-red-50 p-3 text-red-800">
            <p className="text-sm">{vlog.error}</p>
            <button type="button" disabled={busy} onClick={() => act("resume")}
              className="rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-red-100 disabled:opacity-60">
              Resume
            </button>
          </div>
        )}
        {vlog.status === "waiting" && (
          <button type="button" disabled={busy} onClick={() => act("proceed")}
            className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
            Continue
          </button>
        )}
        {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
      </section>

      {vlog.videoUrl && <VlogPlayer vlog={vlog} onChange={setVlog} />}

      {vlog.storyboard ? (
        <StoryboardEditor vlog={vlog} onSaved={setVlog} onRender={() => act("proceed")} rendering={busy} />
      ) : (
        <p className="rounded-xl border border-dashed border-slate-300 px-6 py-8 text-center text-sm text-slate-500">
          The storyboard appears here as soon as its first phase is done.
        </p>
      )}

      <DeleteVlogSection vlogId={vlog.id} title={vlog.title} shared={Boolean(vlog.share)} />
    </div>
  );
}
