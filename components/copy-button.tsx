"use client";

// Copies a text (a feed URL) and says so; where the clipboard is refused, says where to copy from.
import { useState } from "react";

export function CopyButton({ text, label = "Copy", what = "Link", className = "" }: { text: string; label?: string; what?: string; className?: string }) {
  const [message, setMessage] = useState("");
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setMessage(`${what} copied.`);
    } catch {
      setMessage(`Select the ${what.toLowerCase()} and copy it.`);
    }
    setTimeout(() => setMessage(""), 4_000);
  }
  return (
    <>
      <button type="button" onClick={copy}
        className={`min-h-11 shrink-0 rounded-md border border-slate-300 bg-white px-3 text-sm font-medium hover:bg-slate-100 ${className}`}>
        {label}
      </button>
      <span role="status" aria-live="polite" className="text-sm text-emerald-700">{message}</span>
    </>
  );
}
