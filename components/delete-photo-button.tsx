"use client";

// "Delete photo" on a photo's page: asks first, then deletes and goes back to the library.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { mutate } from "swr";
import { apiFetch, errorMessage } from "./api-fetch";
import { ConfirmDialog } from "./confirm-dialog";

export function DeletePhotoButton({ mediaId, name }: { mediaId: string; name: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button type="button" onClick={() => { setError(null); setOpen(true); }}
        className="min-h-11 rounded-md border border-red-300 bg-white px-3 text-sm font-medium text-red-700 hover:bg-red-50">
        Delete photo…
      </button>
      <ConfirmDialog open={open} title={`Delete “${name}”?`} confirm="Delete" danger onCancel={() => setOpen(false)}
        onConfirm={async () => {
          try {
            await apiFetch(`/api/v1/media/${mediaId}`, { method: "DELETE" });
            // The library keeps its list in SWR's cache: drop it, so the grid is read afresh.
            await mutate((key) => typeof key === "string" && key.startsWith("/api/v1/media"), undefined, { revalidate: false });
            router.push("/");
            router.refresh();
          } catch (err) {
            setError(errorMessage(err));
          }
        }}>
        <p>The photo, its thumbnail and its analysis are deleted for good.</p>
        <p>Vlogs made with it keep their video; their storyboard shows the shot as removed.</p>
        {error && <p role="alert" className="text-red-700">{error}</p>}
      </ConfirmDialog>
    </>
  );
}
