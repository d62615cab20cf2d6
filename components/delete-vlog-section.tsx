"use client";

// The vlog page's last section: delete the vlog (video, poster, share link, run history).
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, errorMessage } from "./api-fetch";
import { ConfirmDialog } from "./confirm-dialog";

export function DeleteVlogSection({ vlogId, title, shared }: { vlogId: string; title: string; shared: boolean }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <section aria-labelledby="delete-vlog-heading" className="space-y-2 rounded-xl border border-red-200 bg-white p-4">
      <h2 id="delete-vlog-heading" className="text-lg font-semibold">Delete</h2>
      <p className="text-sm text-slate-600">
        Deleting removes the video, its poster and storyboard{shared ? ", and the public link stops working" : ""}. Your photos stay in the library. It cannot be undone.
      </p>
      <button type="button" onClick={() => { setError(null); setOpen(true); }}
        className="min-h-11 rounded-md border border-red-300 px-4 text-sm font-medium text-red-700 hover:bg-red-50">
        Delete vlog…
      </button>
      <ConfirmDialog open={open} title={`Delete “${title}”?`} confirm="Delete for good" danger onCancel={() => setOpen(false)}
        onConfirm={async () => {
          try {
            await apiFetch(`/api/v1/vlogs/${vlogId}`, { method: "DELETE" });
            router.push("/vlogs");
            router.refresh();
          } catch (err) {
            setError(errorMessage(err));
          }
        }}>
        <p>The video, its poster, its storyboard and its history are deleted{shared ? "; anyone with the share link gets “not found”" : ""}.</p>
        {error && <p role="alert" className="text-red-700">{error}</p>}
      </ConfirmDialog>
    </section>
  );
}
