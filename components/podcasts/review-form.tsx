"use client";

// The review gate's form: what was written about the episode (title, summary, HTML show
// notes with a preview, keywords, chapters, season/number, type, explicit), Save, and
// Publish (which saves first). After publishing the same form edits the published episode.
// A save refused because a step is running keeps everything typed and says why.
import { useState } from "react";
import { formatClock, parseClock } from "@/lib/podcasts/timecode";
import { apiFetch, ApiError, errorMessage } from "../api-fetch";
import { ChaptersEditor, type ChapterDraft } from "./chapters-editor";
import { NotesPreview } from "./notes-preview";
import type { EpisodeDetail, EpisodeType } from "./types";

interface Draft {
  title: string;
  summary: string;
  showNotes: string;
  keywords: string;
  chapters: ChapterDraft[];
  season: string;
  episodeNumber: string;
  episodeType: EpisodeType;
  explicit: "show" | "yes" | "no";
}

/** The fields PATCH /api/v1/episodes/:id takes. */
interface EpisodeEdit {
  title: string;
  summary: string | null;
  showNotes: string | null;
  keywords: string[];
  chapters: { startTime: number; title: string }[];
  season: number | null;
  episodeNumber: number | null;
  episodeType: EpisodeType;
  explicit: boolean | null;
}

function draftOf(e: EpisodeDetail): Draft {
  return {
    title: e.title,
    summary: e.summary ?? "",
    showNotes: e.showNotes ?? "",
    keywords: e.keywords.join(", "),
    chapters: e.chapters.map((c, i) => ({ key: `${i}-${c.startTime}`, start: formatClock(c.startTime), title: c.title, original: c.startTime })),
    season: e.season?.toString() ?? "",
    episodeNumber: e.episodeNumber?.toString() ?? "",
    episodeType: (["full", "trailer", "bonus"].includes(e.episodeType) ? e.episodeType : "full") as EpisodeType,
    explicit: e.explicit === null ? "show" : e.explicit ? "yes" : "no",
  };
}

/** A chapter's start in seconds: as stored while its text is untouched (so 12.4 s stays 12.4), else as typed. */
const startOf = (c: ChapterDraft) => (c.original !== undefined && c.start.trim() === formatClock(c.original) ? c.original : parseClock(c.start));

/** The chapters in time order, each with its row, as they will be sent. */
const orderedChapters = (rows: ChapterDraft[]) =>
  rows.map((row) => ({ row, startTime: startOf(row) ?? 0, title: row.title.trim() })).sort((a, b) => a.startTime - b.startTime);

function editOf(d: Draft): EpisodeEdit {
  const num = (s: string) => (s.trim() === "" ? null : Number(s));
  return {
    title: d.title.trim(),
    summary: d.summary.trim() || null,
    showNotes: d.showNotes.trim() || null,
    keywords: d.keywords.split(",").map((k) => k.trim()).filter(Boolean),
    chapters: orderedChapters(d.chapters).map(({ startTime, title }) => ({ startTime, title })),
    season: num(d.season),
    episodeNumber: num(d.episodeNumber),
    episodeType: d.episodeType,
    explicit: d.explicit === "show" ? null : d.explicit === "yes",
  };
}

/** Only what differs from the saved episode is sent (a resent title would not matter, but an unchanged form says nothing). */
function changes(draft: Draft, saved: Draft): Partial<EpisodeEdit> {
  const a = editOf(draft);
  const b = editOf(saved);
  return Object.fromEntries((Object.keys(a) as (keyof EpisodeEdit)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => [k, a[k]]));
}

const input = "min-h-11 w-full rounded-md border border-slate-300 px-3 py-2 disabled:bg-slate-100 aria-[invalid=true]:border-red-500";

export function ReviewForm({ episode, onChange }: { episode: EpisodeDetail; onChange: (e: EpisodeDetail) => void }) {
  const [draft, setDraft] = useState(() => draftOf(episode));
  const [base, setBase] = useState(episode);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const [busy, setBusy] = useState<"save" | "publish" | null>(null);

  const edit = changes(draft, draftOf(base));
  const dirty = Object.keys(edit).length > 0;
  // A newer episode (the pipeline, another tab) replaces an untouched form; typed work is kept.
  if (episode.version > base.version) {
    if (!dirty) setDraft(draftOf(episode));
    setBase(episode);
  }

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const reviewing = episode.canPublish;
  const locked = !episode.editable;

  async function save(): Promise<boolean> {
    if (draft.chapters.some((c) => startOf(c) === null)) {
      setMessage({ text: "Not saved: a chapter start cannot be read. Write it as mm:ss, e.g. 4:05.", error: true });
      return false;
    }
    if (!draft.title.trim()) {
      setErrors({ title: "The episode needs a title." });
      setMessage({ text: "Not saved: the title is empty.", error: true });
      return false;
    }
    try {
      const saved = await apiFetch<EpisodeDetail>(`/api/v1/episodes/${episode.id}`, { method: "PATCH", json: edit });
      setErrors({});
      setBase(saved);
      setDraft(draftOf(saved));
      onChange(saved);
      return true;
    } catch (err) {
      const fields = err instanceof ApiError ? chapterRows(err.fields) : {};
      setErrors(fields);
      const text =
        err instanceof ApiError && err.status === 409
          ? `Not saved: ${err.message.replace(/\.?$/, ".")} Your changes are still here: save again when the step has finished.`
          : Object.keys(fields).length
            ? `Not saved: ${Object.keys(fields).length === 1 ? "one field needs" : "some fields need"} a change.`
            : `Not saved: ${errorMessage(err)}`;
      setMessage({ text, error: true });
      return false;
    }
  }

  /** "chapters.2.startTime" (an index into what was sent, in time order) → the row's key. */
  function chapterRows(fields: Record<string, string>): Record<string, string> {
    const sent = orderedChapters(draft.chapters);
    return Object.fromEntries(
      Object.entries(fields).map(([key, text]) => {
        const m = /^chapters\.(\d+)\./.exec(key);
        return m && sent[Number(m[1])] ? [`chapter:${sent[Number(m[1])].row.key}`, text] : [key, text];
      }),
    );
  }

  async function onSave(event: React.FormEvent) {
    event.preventDefault();
    setBusy("save");
    setMessage(null);
    if (await save()) setMessage({ text: episode.feed.inFeed ? "Saved. The feed is updated with the changes." : "Saved." });
    setBusy(null);
  }

  async function onPublish() {
    setBusy("publish");
    setMessage(null);
    if (!dirty || (await save())) {
      try {
        onChange(await apiFetch<EpisodeDetail>(`/api/v1/episodes/${episode.id}/publish`, { method: "POST" }));
        setMessage({ text: "Publishing: the audio is being encoded and added to your feed." });
      } catch (err) {
        setMessage({ text: `Not published: ${errorMessage(err)}`, error: true });
      }
    }
    setBusy(null);
  }

  const err = (name: string) => (errors[name] ? <p id={`ep-${name}-error`} className="text-sm text-red-700">{errors[name]}</p> : null);
  const aria = (name: string) => ({ "aria-invalid": Boolean(errors[name]), "aria-describedby": errors[name] ? `ep-${name}-error` : undefined });

  return (
    <form onSubmit={onSave} noValidate aria-labelledby="review-heading" className="space-y-5 rounded-xl border border-slate-200 bg-white p-4">
      <div className="space-y-1">
        <h2 id="review-heading" className="text-lg font-semibold">{reviewing ? "Review" : "Details"}</h2>
        <p className="text-sm text-slate-600">
          {reviewing
            ? "Check what was written about the episode, correct anything, then publish. Nothing is public until you do."
            : episode.feed.inFeed
              ? "Changes you save are published to the feed (a new title or chapters are encoded into the MP3 again)."
              : "What the feed will say about this episode."}
        </p>
        {locked && <p className="text-sm font-medium text-amber-800">Editing is paused while a step runs.</p>}
      </div>
      <fieldset disabled={locked || busy !== null} className="space-y-5">
        <div className="space-y-1">
          <label htmlFor="ep-title" className="block text-sm font-medium">Title</label>
          <input id="ep-title" value={draft.title} onChange={(e) => set("title", e.target.value)} maxLength={200} required className={input} {...aria("title")} />
          {err("title")}
        </div>
        <div className="space-y-1">
          <label htmlFor="ep-summary" className="block text-sm font-medium">Summary</label>
          <textarea id="ep-summary" rows={3} value={draft.summary} onChange={(e) => set("summary", e.target.value)} className={input} {...aria("summary")} />
          {err("summary")}
        </div>
        <div className="grid gap-3 lg:grid-cols-2">
          <div className="space-y-1">
            <label htmlFor="ep-notes" className="block text-sm font-medium">Show notes (HTML)</label>
            <p id="ep-notes-hint" className="text-xs text-slate-600">Allowed: p, br, a, b, strong, i, em, ul, ol, li, h3, h4, blockquote. Links must be http, https or mailto.</p>
            <textarea id="ep-notes" rows={8} value={draft.showNotes} onChange={(e) => set("showNotes", e.target.value)} spellCheck
              aria-describedby={`ep-notes-hint${errors.showNotes ? " ep-showNotes-error" : ""}`} aria-invalid={Boolean(errors.showNotes)}
              className={`${input} font-mono text-sm`} />
            {err("showNotes")}
          </div>
          <NotesPreview html={draft.showNotes} id="ep-notes-preview" />
        </div>
        <div className="space-y-1">
          <label htmlFor="ep-keywords" className="block text-sm font-medium">Keywords</label>
          <input id="ep-keywords" value={draft.keywords} onChange={(e) => set("keywords", e.target.value)} aria-describedby="ep-keywords-hint" className={input} />
          <p id="ep-keywords-hint" className="text-xs text-slate-600">Separated by commas.</p>
          {err("keywords")}
        </div>
        <ChaptersEditor rows={draft.chapters} onChange={(rows) => set("chapters", rows)} errors={errors.chapters}
          rowErrors={Object.fromEntries(Object.entries(errors).filter(([k]) => k.startsWith("chapter:")).map(([k, v]) => [k.slice(8), v]))} />
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <div className="space-y-1">
            <label htmlFor="ep-season" className="block text-sm font-medium">Season</label>
            <input id="ep-season" type="number" min={1} inputMode="numeric" value={draft.season} onChange={(e) => set("season", e.target.value)} className={input} {...aria("season")} />
            {err("season")}
          </div>
          <div className="space-y-1">
            <label htmlFor="ep-number" className="block text-sm font-medium">Episode number</label>
            <input id="ep-number" type="number" min={1} inputMode="numeric" value={draft.episodeNumber} onChange={(e) => set("episodeNumber", e.target.value)} className={input} {...aria("episodeNumber")} />
            {err("episodeNumber")}
          </div>
          <div className="space-y-1">
            <label htmlFor="ep-type" className="block text-sm font-medium">Type</label>
            <select id="ep-type" value={draft.episodeType} onChange={(e) => set("episodeType", e.target.value as EpisodeType)} className={`${input} bg-white`}>
              <option value="full">Full episode</option>
              <option value="trailer">Trailer</option>
              <option value="bonus">Bonus</option>
            </select>
          </div>
          <div className="space-y-1">
            <label htmlFor="ep-explicit" className="block text-sm font-medium">Explicit</label>
            <select id="ep-explicit" value={draft.explicit} onChange={(e) => set("explicit", e.target.value as Draft["explicit"])} className={`${input} bg-white`}>
              <option value="show">As the show</option>
              <option value="yes">Explicit</option>
              <option value="no">Not explicit</option>
            </select>
          </div>
        </div>
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={locked || !dirty || busy !== null}
          className="min-h-11 rounded-md border border-slate-300 bg-white px-4 text-sm font-medium hover:bg-slate-100 disabled:opacity-50">
          {busy === "save" ? "Saving…" : "Save changes"}
        </button>
        {reviewing && (
          <button type="button" onClick={onPublish} disabled={locked || busy !== null}
            className="min-h-11 rounded-md bg-indigo-600 px-5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50">
            {busy === "publish" ? "Publishing…" : dirty ? "Save and publish" : "Publish"}
          </button>
        )}
        <p role="status" aria-live="polite" data-testid="review-message" className={`basis-full text-sm ${message?.error ? "text-red-700" : "text-emerald-700"}`}>
          {message?.text}
        </p>
      </div>
    </form>
  );
}
