"use client";

// Settings → "Your data": how much storage is used (a bar, against the quota if there is one),
// "Download all my data" with live progress and a 24-hour link, and "Delete my account"
// behind a typed confirmation.
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import type { ExportView } from "@/lib/account/exports";
import type { StorageUsage } from "@/lib/account/usage";
import { apiFetch, errorMessage } from "../api-fetch";
import { ConfirmDialog } from "../confirm-dialog";
import { ProgressBar } from "../progress-bar";
import { useLive } from "../use-live";

const size = (n: number) => (n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);
const when = (iso: string) => new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";

export function StorageMeter({ usage }: { usage: StorageUsage }) {
  const { usedBytes, quotaBytes, byKind } = usage;
  const share = quotaBytes ? usedBytes / quotaBytes : 0;
  const text = quotaBytes ? `${size(usedBytes)} of ${size(quotaBytes)} used (${Math.round(share * 100)}%)` : `${size(usedBytes)} used`;
  return (
    <section aria-labelledby="storage-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-6">
      <h2 id="storage-heading" className="text-lg font-semibold">Storage</h2>
      <p className="text-sm text-slate-700" data-testid="storage-used">{text}</p>
      {quotaBytes ? (
        <ProgressBar label="Storage used" valueText={text} value={share} tone={share >= 0.9 ? "failed" : "active"} />
      ) : (
        <p className="text-xs text-slate-500">No storage limit is set on this server.</p>
      )}
      <p className="text-xs text-slate-500">
        Photos {size(byKind.photos)} · vlogs {size(byKind.vlogs)} · podcast audio {size(byKind.episodes)}. Thumbnails, posters and exports are not counted.
      </p>
    </section>
  );
}

export function DataExport({ initial }: { initial: ExportView | null }) {
  const [current, setCurrent] = useState<ExportView | null>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const following = current && (current.status === "queued" || current.status === "running") ? [current.id] : [];
  useLive("export", following, useCallback((view: ExportView) => setCurrent((c) => (c && c.id === view.id && c.version > view.version ? c : view)), []));

  async function start() {
    setBusy(true);
    setError(null);
    try {
      setCurrent((await apiFetch<{ export: ExportView }>("/api/account/exports", { method: "POST" })).export);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const making = current && (current.status === "queued" || current.status === "running");
  const percent = Math.round((current?.progress ?? 0) * 100);
  return (
    <section aria-labelledby="export-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-6">
      <h2 id="export-heading" className="text-lg font-semibold">Download all my data</h2>
      <p className="text-sm text-slate-600">
        One ZIP file with every photo as you uploaded it and its analysis, your vlogs, and your podcast episodes with their notes and
        transcripts. It is made in the background; the link works for 24 hours.
      </p>
      {making && (
        <div className="space-y-1">
          <p role="status" aria-live="polite" className="text-sm text-slate-800">{current.note ?? "Waiting to start…"} · {percent}%</p>
          <ProgressBar label="Export progress" valueText={`${percent}% — ${current.note ?? "waiting to start"}`} value={current.progress} />
        </div>
      )}
      {current?.status === "ready" && current.downloadUrl && (
        <p role="status" className="text-sm text-slate-800">
          Your data is ready ({size(current.bytes ?? 0)}).{" "}
          <a href={current.downloadUrl} className="font-medium text-indigo-700 underline" data-testid="export-download">Download the ZIP</a>
          {current.expiresAt && <span className="text-slate-500"> · until {when(current.expiresAt)}</span>}
        </p>
      )}
      {current?.status === "failed" && <p role="alert" className="text-sm text-red-700">{current.error}</p>}
      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
      {!making && (
        <button type="button" onClick={start} disabled={busy}
          className="min-h-11 rounded-md bg-indigo-600 px-4 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
          {busy ? "Starting…" : current?.status === "ready" ? "Make a new export" : "Download all my data"}
        </button>
      )}
    </section>
  );
}

export function DeleteAccount({ email, phrase }: { email: string; phrase: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <section aria-labelledby="delete-account-heading" className="space-y-2 rounded-xl border border-red-200 bg-white p-6">
      <h2 id="delete-account-heading" className="text-lg font-semibold">Delete my account</h2>
      <p className="text-sm text-slate-600">
        Deletes {email} and everything in it: photos, vlogs, podcasts, API tokens and jobs. Every browser and API token is signed out at
        once; the files go within minutes. It cannot be undone — download your data first if you want to keep it.
      </p>
      <button type="button" onClick={() => { setError(null); setOpen(true); }}
        className="min-h-11 rounded-md border border-red-300 px-4 text-sm font-medium text-red-700 hover:bg-red-50">
        Delete my account…
      </button>
      <ConfirmDialog open={open} title="Delete your account for good?" confirm="Delete my account" danger typed={phrase} onCancel={() => setOpen(false)}
        onConfirm={async () => {
          try {
            await apiFetch("/api/account", { method: "DELETE", json: { confirm: phrase } });
            router.push("/signin?deleted=1");
            router.refresh();
          } catch (err) {
            setError(errorMessage(err));
          }
        }}>
        <p>Everything in {email} is deleted: photos, vlogs, podcast shows and episodes (their feeds stop), API tokens and jobs.</p>
        {error && <p role="alert" className="text-red-700">{error}</p>}
      </ConfirmDialog>
    </section>
  );
}
