"use client";

// The chapters of an episode as a small table: start time (typed as mm:ss or h:mm:ss) and
// title per row, rows added and removed with buttons. Times stay as typed until saved, so
// a half-typed "1:" is not rewritten under the cursor; a time that cannot be read is
// marked on its row.
import { useId } from "react";
import { parseClock } from "@/lib/podcasts/timecode";

export interface ChapterDraft {
  key: string;
  start: string;
  title: string;
  /** The saved start in seconds, kept while the text still shows it (mm:ss drops fractions). */
  original?: number;
}

export function ChaptersEditor({ rows, onChange, disabled, errors, rowErrors = {} }: {
  rows: ChapterDraft[];
  onChange: (rows: ChapterDraft[]) => void;
  disabled?: boolean;
  /** Server messages for the chapters field as a whole. */
  errors?: string;
  /** Server messages for one row, by its key. */
  rowErrors?: Record<string, string>;
}) {
  const id = useId();
  const update = (key: string, patch: Partial<ChapterDraft>) => onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const add = () => {
    const last = rows.at(-1);
    const after = last ? (parseClock(last.start) ?? 0) + 60 : 0;
    const m = Math.floor(after / 60);
    onChange([...rows, { key: crypto.randomUUID(), start: `${m}:${String(Math.floor(after % 60)).padStart(2, "0")}`, title: "" }]);
    // The new row's title is where the person types next.
    requestAnimationFrame(() => document.querySelector<HTMLInputElement>(`[data-chapter-list="${id}"] tr:last-child input[name=title]`)?.focus());
  };

  return (
    <fieldset className="space-y-2" disabled={disabled}>
      <legend className="text-sm font-medium">Chapters</legend>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">No chapters. Podcast apps then show the episode as one piece.</p>
      ) : (
        <table className="w-full table-fixed border-separate border-spacing-y-1 text-sm" data-chapter-list={id}>
          <thead className="text-left text-xs text-slate-600">
            <tr>
              <th scope="col" className="w-24 font-medium">Start (mm:ss)</th>
              <th scope="col" className="pl-2 font-medium">Title</th>
              <th scope="col" className="w-12"><span className="sr-only">Remove</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const bad = parseClock(row.start) === null;
              const problem = bad ? "Use mm:ss" : rowErrors[row.key];
              return (
                <tr key={row.key} data-testid="chapter-row">
                  <td className="align-top">
                    <input name="start" value={row.start} onChange={(e) => update(row.key, { start: e.target.value })}
                      aria-label={`Start of chapter ${i + 1}`} aria-invalid={Boolean(problem)} inputMode="decimal" autoComplete="off"
                      aria-describedby={problem ? `${id}-${row.key}-bad` : undefined}
                      className="min-h-11 w-full rounded-md border border-slate-300 px-2 font-mono tabular-nums aria-[invalid=true]:border-red-500" />
                    {problem && <span id={`${id}-${row.key}-bad`} className="block text-xs text-red-700">{problem}</span>}
                  </td>
                  <td className="pl-2 align-top">
                    <input name="title" value={row.title} onChange={(e) => update(row.key, { title: e.target.value })} maxLength={200}
                      aria-label={`Title of chapter ${i + 1}`} className="min-h-11 w-full rounded-md border border-slate-300 px-2" />
                  </td>
                  <td className="pl-1 align-top">
                    <button type="button" onClick={() => onChange(rows.filter((r) => r.key !== row.key))}
                      aria-label={`Remove chapter ${i + 1}${row.title ? ` (${row.title})` : ""}`}
                      className="flex h-11 w-11 items-center justify-center rounded-md border border-slate-300 text-lg text-slate-600 hover:bg-red-50 hover:text-red-700">
                      <span aria-hidden="true">×</span>
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {errors && <p className="text-sm text-red-700" id={`${id}-errors`}>{errors}</p>}
      <button type="button" onClick={add} className="min-h-11 rounded-md border border-slate-300 px-3 text-sm font-medium hover:bg-slate-100">
        Add chapter
      </button>
    </fieldset>
  );
}
