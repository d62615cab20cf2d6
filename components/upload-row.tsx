"use client";

// One file of an uploader: its name (a link once there is a page for it), a status line
// read out as it changes, an action (Retry) and one bar from first byte to done.
import Link from "next/link";
import { ProgressBar } from "./progress-bar";

export function UploadRow({ name, href, status, text, tone, value, action }: {
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
    <li data-testid="upload-row" data-status={status} className="space-y-2 px-4 py-3">
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
