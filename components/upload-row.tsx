"use client";

// One file of an uploader: its name (a link once there is a page for it), a status line
// read out as it changes, an action (Retry) and one bar from first byte to done.
// Memoised: with 500 files dropped at once, every progress event re-renders the uploader,
// and only the row whose figures changed (or that moved in a long list) should render
// again (docs/performance.md, browser).
import Link from "next/link";
import { memo } from "react";
import type { UploadTone } from "@/lib/upload-list";
import { ProgressBar } from "./progress-bar";

/** What a row shows. */
export interface UploadRowProps {
  name: string;
  href?: string | null;
  /** data-status, for tests and styling. */
  status: string;
  text: string;
  tone: UploadTone;
  value: number;
  action?: { label: string; onClick: () => void; busy?: boolean } | null;
}

/**
 * Where a row stands in a long (windowed) list, components/upload-list.tsx: its place in the
 * whole list (for aria-posinset / aria-setsize: only the rows in view are in the page), its
 * offset from the list's top, and the ref that measures its height.
 */
export interface RowPlace {
  index: number;
  of: number;
  start: number;
  measure: (el: HTMLLIElement | null) => void;
}

type Props = UploadRowProps & { place?: RowPlace };

/**
 * Same row when everything it shows is the same (the bar to the whole percent) and it stands
 * where it stood. The action is compared by what it shows: its onClick is a new closure each
 * render, and a row kept from an earlier render keeps an earlier closure, which acts on the
 * same file.
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
    a.action?.busy === b.action?.busy &&
    a.place?.index === b.place?.index &&
    a.place?.of === b.place?.of &&
    a.place?.start === b.place?.start &&
    a.place?.measure === b.place?.measure
  );
}

export const UploadRow = memo(Row, sameRow);

function Row({ name, href, status, text, tone, value, action, place }: Props) {
  return (
    <li
      data-testid="upload-row"
      data-status={status}
      // In a windowed list every row is placed by its offset (and measured: a failed row's
      // message or a phone's narrow width makes it taller); the rows around it are not in the
      // page, so its border cannot come from `divide-y`.
      {...(place && {
        ref: place.measure,
        "data-index": place.index,
        "aria-posinset": place.index + 1,
        "aria-setsize": place.of,
        style: { transform: `translateY(${place.start}px)` },
      })}
      className={`space-y-2 px-4 py-3 ${place ? `absolute inset-x-0 top-0 ${place.index > 0 ? "border-t border-slate-200" : ""}` : ""}`}
    >
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
