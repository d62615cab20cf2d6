"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, errorMessage } from "./api-fetch";

export function RetryButton({ mediaId }: { mediaId: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-3">
      <button
        type="button"
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
        onClick={async () => {
          try {
            await apiFetch(`/api/v1/media/${mediaId}/retry`, { method: "POST" });
            router.refresh();
          } catch (err) {
            setError(errorMessage(err));
          }
        }}
      >
        Retry
      </button>
      {error && <span role="alert" className="text-sm text-red-700">{error}</span>}
    </span>
  );
}
