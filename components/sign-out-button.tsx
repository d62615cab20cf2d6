"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "./api-fetch";

export function SignOutButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      disabled={busy}
      className="rounded-md border border-slate-300 px-3 py-1.5 text-slate-700 hover:bg-slate-100 disabled:opacity-50"
      onClick={async () => {
        setBusy(true);
        // Signed out or not, the sign-in page is where this button leads.
        await apiFetch("/api/auth/signout", { method: "POST" }).catch(() => {});
        router.push("/signin");
        router.refresh();
      }}
    >
      Sign out
    </button>
  );
}
