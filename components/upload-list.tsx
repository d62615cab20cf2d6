"use client";

// The rows of an uploader, photos and audio alike. A short list is a plain list. A long one
// (a drop of hundreds of photos) is windowed: it scrolls inside a box of bounded height, only
// the rows in view and a few either side are in the page (TanStack Virtual), and a line above
// it counts all of them. Drawing every row of a 500-photo drop, each with its animated bar,
// took the browser 1.4 s at best (docs/performance.md, scenario 16).
import { defaultRangeExtractor, useVirtualizer, type Range } from "@tanstack/react-virtual";
import { useCallback, useId, useRef, useState, type FocusEvent } from "react";
import { totalsText, uploadTotals, withKept } from "@/lib/upload-list";
import { UploadRow, type UploadRowProps } from "./upload-row";

/** From this many rows on the list is windowed; fewer cost little to draw. */
export const WINDOWED_FROM = 51;
/** A row's height until it is measured: name and status on one line, the bar under it. */
const ROW_PX = 61;
/** Rows rendered beyond each edge of the box: Tab and the arrow keys move into rows already there. */
const OVERSCAN = 6;

export type ListRow = UploadRowProps & { key: string };

/** `noun`: what the rows are, in the plural ("photos"), for the totals line. */
export function UploadList({ rows, noun }: { rows: ListRow[]; noun: string }) {
  if (rows.length === 0) return null;
  if (rows.length >= WINDOWED_FROM) return <WindowedList rows={rows} noun={noun} />;
  return (
    <ul aria-label="Uploads" className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white">
      {rows.map(({ key, ...row }) => <UploadRow key={key} {...row} />)}
    </ul>
  );
}

function WindowedList({ rows, noun }: { rows: ListRow[]; noun: string }) {
  const box = useRef<HTMLDivElement>(null);
  const totalsId = useId();

  // The row holding the keyboard focus (a Retry button, a finished photo's link) stays in the
  // page while it is scrolled away, so the focus is not lost; found by key, as a new drop puts
  // its files first and moves every row down.
  const [focusedKey, setFocusedKey] = useState<string | null>(null);
  const onFocus = (e: FocusEvent<HTMLDivElement>) => {
    const at = (e.target as Element).closest<HTMLElement>("li[data-index]")?.dataset.index;
    setFocusedKey(at === undefined ? null : (rows[Number(at)]?.key ?? null));
  };
  const onBlur = (e: FocusEvent<HTMLDivElement>) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocusedKey(null);
  };
  // Both the same while only the scroll position changes, so scrolling does not make the
  // virtualizer lay out the whole list again.
  const rangeExtractor = useCallback(
    (range: Range) => withKept(defaultRangeExtractor(range), focusedKey === null ? -1 : rows.findIndex((r) => r.key === focusedKey)),
    [rows, focusedKey],
  );
  const getItemKey = useCallback((index: number) => rows[index].key, [rows]);

  // The rows are memoised by hand (upload-row.tsx) and get plain numbers from the virtualizer
  // plus its measureElement, which is one function for its life; no React Compiler here.
  // eslint-disable-next-line react-hooks/incompatible-library -- see above
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => box.current,
    estimateSize: () => ROW_PX,
    getItemKey,
    rangeExtractor,
    overscan: OVERSCAN,
    // The box's height before it is measured, so the first render already fills it.
    initialRect: { width: 0, height: 512 },
  });

  const totals = uploadTotals(rows.map((r) => r.tone));
  return (
    <div className="space-y-2">
      <p id={totalsId} data-testid="upload-totals" data-total={totals.total} data-done={totals.done} data-failed={totals.failed}
        className="text-sm text-slate-600">
        {totalsText(totals, noun)}
      </p>
      {/* Focusable, so the keyboard can scroll it; named by the totals, which a screen reader
          says on entering it (the rows themselves carry their place: "3 of 500"). */}
      <div ref={box} role="region" aria-labelledby={totalsId} tabIndex={0} onFocus={onFocus} onBlur={onBlur}
        className="h-[min(32rem,60dvh)] overflow-y-auto rounded-xl border border-slate-200 bg-white">
        <ul aria-label="Uploads" className="relative" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const { key, ...row } = rows[item.index];
            return <UploadRow key={key} {...row} place={{ index: item.index, of: rows.length, start: item.start, measure: virtualizer.measureElement }} />;
          })}
        </ul>
      </div>
    </div>
  );
}
