"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

// Ends every browser session of this account, this one included.
export function SignOutEverywhereButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="flex flex-wrap items-center gap-3">
      <button
        type="button"
        disabled={busy}
        className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-60"
        onClick={async () => {
          setBusy(true);
          setError(null);
          const res = await fetch("/api/account/sessions", { method: "DELETE" }).catch(() => null);
          if (res?.ok) {
            router.push("/signin");
            router.refresh();
            return;
          }
          setError((await res?.json().catch(() => null))?.error?.message ?? "That did not work. Please try again.");
          setBusy(false);
        }}
      >
        {busy ? "Signing out…" : "Sign out everywhere"}
      </button>
      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
    </div>
  );
}
