"use client";

// The storyboard: shots in order, each with its photo, caption and seconds on screen.
// Reorder with Move up / Move down (plain buttons, so keyboards and screen readers work),
// edit text, drop a shot or add a left-out photo back; Save, or Render (which saves first).
// A shot whose photo was deleted stays listed, marked, until the next save leaves it out.
import { useState } from "react";
import { MAX_CAPTION_CHARS, MAX_SHOT_SECONDS, MIN_SHOT_SECONDS } from "@/lib/vlogs/plan";
import type { VlogDetail } from "@/lib/vlogs/view";
import { ApiError, apiFetch, errorMessage } from "./api-fetch";

type Shot = { mediaId: string; caption: string; duration: number; removed: boolean; thumbnailUrl: string | null };

export function StoryboardEditor({ vlog, onSaved, onRender, rendering }: {
  vlog: VlogDetail;
  onSaved: (v: VlogDetail) => void;
  onRender: () => Promise<void>;
  rendering: boolean;
}) {
  const board = vlog.storyboard!;
  const [title, setTitle] = useState(board.title);
  const [shots, setShots] = useState<Shot[]>(board.shots);
  const [base, setBase] = useState(board.version);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  // A newer storyboard from elsewhere (another tab, a rewind) replaces an unedited form.
  // Adjusted while rendering (React's pattern for state derived from a changed prop), so the
  // stale form is never painted.
  const dirty = title !== board.title || JSON.stringify(shots.map(strip)) !== JSON.stringify(board.shots.map(strip));
  if (board.version !== base && !dirty) {
    setTitle(board.title);
    setShots(board.shots);
    setBase(board.version);
  }

  const editable = vlog.editable;
  const total = shots.reduce((sum, s) => sum + s.duration, 0);
  const inStoryboard = new Set(shots.map((s) => s.mediaId));
  const addable: { mediaId: string; thumbnailUrl: string | null; reason?: string }[] = [...board.dropped.filter((d) => !d.removed), ...board.available].filter((p, i, all) => !inStoryboard.has(p.mediaId) && all.findIndex((q) => q.mediaId === p.mediaId) === i);
  const deletedCount = shots.filter((s) => s.removed).length;

  function move(index: number, delta: number) {
    const target = index + delta;
    if (target < 0 || target >= shots.length) return;
    const next = [...shots];
    [next[index], next[target]] = [next[target], next[index]];
    setShots(next);
    setMessage(`Shot moved to position ${target + 1} of ${next.length}.`);
    // Keep the keyboard on the same control of the moved shot.
    requestAnimationFrame(() => document.getElementById(`move-${delta < 0 ? "up" : "down"}-${next[target].mediaId}`)?.focus());
  }

  const update = (index: number, patch: Partial<Shot>) => setShots(shots.map((s, i) => (i === index ? { ...s, ...patch } : s)));

  async function save(): Promise<boolean> {
    setSaving(true);
    setError(null);
    let saved: VlogDetail;
    try {
      saved = await apiFetch<VlogDetail>(`/api/v1/vlogs/${vlog.id}/storyboard`, {
        method: "PATCH",
        json: { baseVersion: base, title, shots: shots.filter((s) => !s.removed).map(strip) },
      });
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} ${Object.values(err.fields).join(" ")}`.trim() : errorMessage(err));
      return false;
    } finally {
      setSaving(false);
    }
    setBase(saved.storyboard!.version);
    setTitle(saved.storyboard!.title);
    setShots(saved.storyboard!.shots);
    onSaved(saved);
    setMessage("Storyboard saved.");
    return true;
  }

  async function render() {
    if (changed && !(await save())) return;
    await onRender();
  }

  // A deleted photo's shot counts as an edit: rendering again saves the storyboard without it.
  const changed = dirty || deletedCount > 0;
  const canRender = vlog.status === "storyboard_ready" || (changed && (vlog.status === "completed" || vlog.status === "failed"));

  return (
    <section aria-labelledby="storyboard-heading" className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="storyboard-heading" className="text-lg font-semibold">Storyboard</h2>
        <p className="text-sm text-slate-600">
          {shots.length} shot{shots.length === 1 ? "" : "s"} · about {Math.round(total)} s · {writerLabel(board.writer)}
        </p>
      </div>
      {!editable && <p className="text-sm text-slate-600">Editing is paused while a step runs.</p>}
      <div className="space-y-1">
        <label htmlFor="storyboard-title" className="block text-sm font-medium">Title</label>
        <input id="storyboard-title" value={title} disabled={!editable} maxLength={80} onChange={(e) => setTitle(e.target.value)}
          className="w-full max-w-xl rounded-md border border-slate-300 px-3 py-2 disabled:bg-slate-100" />
      </div>
      <ol className="space-y-3" aria-label="Shots in order">
        {shots.map((shot, i) => (
          <li key={shot.mediaId} data-testid="storyboard-shot" className="flex flex-col gap-3 rounded-xl border border-slate-200 bg-white p-3 sm:flex-row">
            {shot.thumbnailUrl ? (
              // eslint-disable-next-line @next/next/no-img-element
              <img src={shot.thumbnailUrl} alt={`Shot ${i + 1}`} className="h-28 w-44 shrink-0 rounded-md bg-slate-100 object-cover" />
            ) : (
              <div className="flex h-28 w-44 shrink-0 items-center justify-center rounded-md border border-dashed border-slate-300 bg-slate-50 px-2 text-center text-xs text-slate-600">
                Photo deleted
              </div>
            )}
            {shot.removed ? (
              <div className="flex-1 space-y-1 text-sm" data-testid="removed-shot">
                <p className="font-medium">Shot {i + 1}: removed — its photo was deleted</p>
                <p className="text-slate-600">The video made before still shows it; saving or rendering again leaves it out.</p>
                {shot.caption && <p className="text-slate-500">Caption was: “{shot.caption}”</p>}
              </div>
            ) : (
            <div className="flex-1 space-y-2">
              <label htmlFor={`caption-${shot.mediaId}`} className="block text-sm font-medium">Caption for shot {i + 1}</label>
              <textarea id={`caption-${shot.mediaId}`} value={shot.caption} disabled={!editable} maxLength={MAX_CAPTION_CHARS} rows={2}
                onChange={(e) => update(i, { caption: e.target.value })}
                className="w-full rounded-md border border-slate-300 px-3 py-2 text-sm disabled:bg-slate-100" />
              <div className="flex flex-wrap items-center gap-3">
                <label htmlFor={`duration-${shot.mediaId}`} className="text-sm">Seconds on screen</label>
                <input id={`duration-${shot.mediaId}`} type="number" step={0.5} min={MIN_SHOT_SECONDS} max={MAX_SHOT_SECONDS} value={shot.duration}
                  disabled={!editable} onChange={(e) => update(i, { duration: Number(e.target.value) })}
                  className="w-20 rounded-md border border-slate-300 px-2 py-1 text-sm disabled:bg-slate-100" />
                <span className="ml-auto flex gap-2">
                  <button id={`move-up-${shot.mediaId}`} type="button" disabled={!editable || i === 0} onClick={() => move(i, -1)}
                    aria-label={`Move shot ${i + 1} up`} className="rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 disabled:opacity-40">
                    ↑ Up
                  </button>
                  <button id={`move-down-${shot.mediaId}`} type="button" disabled={!editable || i === shots.length - 1} onClick={() => move(i, 1)}
                    aria-label={`Move shot ${i + 1} down`} className="rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 disabled:opacity-40">
                    ↓ Down
                  </button>
                  <button type="button" disabled={!editable || shots.length === 1} onClick={() => { setShots(shots.filter((_, j) => j !== i)); setMessage(`Shot ${i + 1} removed.`); }}
                    aria-label={`Remove shot ${i + 1}`} className="rounded-md border border-red-200 px-2 py-1 text-sm text-red-700 hover:bg-red-50 disabled:opacity-40">
                    Remove
                  </button>
                </span>
              </div>
            </div>
            )}
          </li>
        ))}
      </ol>
      {addable.length > 0 && (
        <div className="space-y-2">
          <h3 className="text-sm font-semibold">Left out</h3>
          <ul className="flex flex-wrap gap-3">
            {addable.map((p) => (
              <li key={p.mediaId} className="w-40 space-y-1 text-xs text-slate-600">
                {/* eslint-disable-next-line @next/next/no-img-element */}
                {p.thumbnailUrl && <img src={p.thumbnailUrl} alt="" className="h-24 w-40 rounded-md object-cover opacity-70" />}
                {p.reason && <p>{p.reason}</p>}
                <button type="button" disabled={!editable} onClick={() => setShots([...shots, { mediaId: p.mediaId, caption: "", duration: shots[0]?.duration ?? 4, removed: false, thumbnailUrl: p.thumbnailUrl }])}
                  className="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-100 disabled:opacity-40">
                  Add back
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <p role="status" aria-live="polite" className="sr-only">{message}</p>
      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
      <div className="flex flex-wrap gap-3">
        <button type="button" disabled={!editable || !changed || saving} onClick={save}
          className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-50">
          {saving ? "Saving…" : "Save storyboard"}
        </button>
        <button type="button" disabled={!editable || !canRender || saving || rendering} onClick={render}
          className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50">
          {vlog.videoUrl ? "Render again" : "Render"}
        </button>
      </div>
    </section>
  );
}

function writerLabel(writer: string): string {
  const who = (w: string) => (w === "local" ? "the local writer" : w.replace(/^gemini:/, "Gemini "));
  const edited = /^edited \((.+)\)$/.exec(writer);
  return edited ? `edited by you (first draft by ${who(edited[1])})` : `captions by ${who(writer)}`;
}

function strip(s: Shot) {
  return { mediaId: s.mediaId, caption: s.caption, duration: s.duration };
}
