"use client";

// One file of an uploader: its name (a link once there is a page for it), a status line
// read out as it changes, an action (Retry) and one bar from first byte to done.
// Memoised: with 500 files dropped at once, every progress event re-renders the uploader,
// and only the row whose figures changed should render again (docs/performance.md, browser).
import Link from "next/link";
import { memo } from "react";
import { ProgressBar } from "./progress-bar";

type Props = Parameters<typeof Row>[0];

/**
 * Same row when everything it shows is the same (the bar to the whole percent). The action
 * is compared by what it shows: its onClick is a new closure each render, and a row kept
 * from an earlier render keeps an earlier closure, which acts on the same file.
 */
function sameRow(a: Props, b: Props): boolean {
  return (
    a.name === b.name &&
    a.href === b.href &&
    a.status === b.status &&
    a.text === b.text &&
    a.tone === b.tone &&
    Math.round(a.value * 100) === Math.round(b.value * 100) &&
    a.action?.label === b.action?.label &&
    a.action?.busy === b.action?.busy
  );
}

export const UploadRow = memo(Row, sameRow);

function Row({ name, href, status, text, tone, value, action }: {
  name: string;
  href?: string | null;
  /** data-status, for tests and styling. */
  status: string;
  text: string;
  tone: "active" | "done" | "failed";
  value: number;
  action?: { label: string; onClick: () => void; busy?: boolean } | null;
}) {
  return (
    // content-visibility: the browser skips style, layout and paint of rows scrolled out of
    // view (most of a 500-file drop); the intrinsic size keeps the scrollbar right.
    <li data-testid="upload-row" data-status={status} className="space-y-2 px-4 py-3 [content-visibility:auto] [contain-intrinsic-size:auto_4.5rem]">
      <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 text-sm">
        <span className="min-w-0 max-w-full truncate font-medium text-slate-800" title={name}>
          {/* Negative margins: a 44 px tall target without a taller row. */}
          {href ? <Link href={href} className="-my-3 inline-flex min-h-11 max-w-full items-center hover:underline"><span className="truncate">{name}</span></Link> : name}
        </span>
        <span className="flex min-w-0 items-center gap-3">
          <span role="status" className={tone === "failed" ? "text-red-700" : tone === "done" ? "text-emerald-700" : "text-slate-600"}>
            {text}
          </span>
          {action && (
            <button type="button" onClick={action.onClick} disabled={action.busy}
              className="min-h-11 shrink-0 rounded-md border border-slate-300 px-3 text-sm font-medium hover:bg-slate-100 disabled:opacity-50">
              {action.label}
            </button>
          )}
        </span>
      </div>
      <ProgressBar label={`Progress of ${name}`} valueText={text} tone={tone} value={value} />
    </li>
  );
}
