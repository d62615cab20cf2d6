"use client";

// A modal question before something that cannot be undone (rotate a feed URL, delete an
// episode). A native <dialog>: focus stays inside, Escape cancels. With `typed`, the
// confirm button waits until that word is typed, so a slip of the finger deletes nothing.
import { useEffect, useId, useRef, useState } from "react";

export function ConfirmDialog({ open, title, confirm, danger, typed, onConfirm, onCancel, children }: {
  open: boolean;
  title: string;
  confirm: string;
  danger?: boolean;
  /** A word the person must type first. */
  typed?: string;
  onConfirm: () => Promise<void> | void;
  onCancel: () => void;
  children: React.ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const ready = !typed || text.trim().toLowerCase() === typed.toLowerCase();
  return (
    <dialog ref={ref} aria-labelledby={`${id}-title`} onClose={() => { setText(""); if (open) onCancel(); }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl p-0 shadow-xl backdrop:bg-slate-900/40 dark:backdrop:bg-black/60">
      <form method="dialog" className="space-y-4 p-5"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!ready) return;
          setBusy(true);
          await onConfirm();
          setBusy(false);
          setText("");
        }}>
        <h2 id={`${id}-title`} className="text-lg font-semibold">{title}</h2>
        <div className="space-y-2 text-sm text-slate-700">{children}</div>
        {typed && (
          <div className="space-y-1">
            <label htmlFor={`${id}-typed`} className="block text-sm font-medium">Type <strong>{typed}</strong> to confirm</label>
            <input id={`${id}-typed`} value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" autoCapitalize="off" spellCheck={false}
              className="min-h-11 w-full rounded-md border border-slate-300 px-3" />
          </div>
        )}
        <div className="flex flex-wrap justify-end gap-2">
          <button type="button" onClick={onCancel} className="min-h-11 rounded-md border border-slate-300 px-4 text-sm font-medium hover:bg-slate-100">
            Cancel
          </button>
          <button type="submit" disabled={!ready || busy}
            className={`min-h-11 rounded-md px-4 text-sm font-medium text-white disabled:opacity-50 ${danger ? "bg-red-600 hover:bg-red-700" : "bg-indigo-600 hover:bg-indigo-700"}`}>
            {busy ? "Working…" : confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}
