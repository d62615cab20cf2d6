// The pure parts of the uploaders' list (components/upload-list.tsx): the totals a long list
// shows above its rows, and which rows a windowed list keeps in the page. A long list has only
// the rows in view in the page (docs/performance.md, scenario 16), so what it says about all
// of them is counted here from the whole list, never from the rows drawn.

export type UploadTone = "active" | "done" | "failed";

export interface UploadTotals {
  total: number;
  done: number;
  failed: number;
  /** Still uploading, queued or being processed. */
  going: number;
}

export function uploadTotals(tones: Iterable<UploadTone>): UploadTotals {
  const totals = { total: 0, done: 0, failed: 0, going: 0 };
  for (const tone of tones) {
    totals.total += 1;
    if (tone === "done") totals.done += 1;
    else if (tone === "failed") totals.failed += 1;
    else totals.going += 1;
  }
  return totals;
}

/**
 * "500 photos · 120 done · 3 failed · 377 to go" (`noun` in the plural: only long lists show
 * it). Done is always said; failed and to go only when there are any.
 */
export function totalsText({ total, done, failed, going }: UploadTotals, noun: string): string {
  const parts = [`${total} ${noun}`, `${done} done`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (going > 0) parts.push(`${going} to go`);
  return parts.join(" · ");
}

/**
 * The rows to render: `indexes` (those in view and a few either side, in order) plus `kept`
 * (the row holding the keyboard focus, -1 for none) where it is not among them. A focused row
 * that left the page would take the focus with it, to the page's body.
 */
export function withKept(indexes: number[], kept: number): number[] {
  if (kept < 0 || indexes.includes(kept)) return indexes;
  return [...indexes, kept].sort((a, b) => a - b);
}
