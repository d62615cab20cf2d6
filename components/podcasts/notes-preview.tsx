"use client";

// What podcast apps will show of the show notes: the typed HTML through the same allow-list
// the server and the feed use (lib/podcasts/show-notes.ts, loaded only when needed), so a
// dropped <script> or <img> is visible before saving.
import { useEffect, useState } from "react";

type Sanitise = (html: string) => string;
let loaded: Promise<Sanitise> | null = null;
const sanitiser = () => (loaded ??= import("@/lib/podcasts/show-notes").then((m) => m.sanitiseShowNotes));

export function NotesPreview({ html, id }: { html: string; id: string }) {
  const [clean, setClean] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // Typing fast re-renders once per pause, not per key.
    const timer = setTimeout(() => void sanitiser().then((sanitise) => live && setClean(sanitise(html))), 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [html]);

  return (
    <div className="space-y-1">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-600" id={`${id}-label`}>Preview</p>
      <div id={id} aria-labelledby={`${id}-label`} data-testid="notes-preview"
        className="notes-preview max-h-72 overflow-y-auto rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm"
        // Sanitised by the show-notes allow-list just above: only formatting tags and http(s)/mailto links remain.
        dangerouslySetInnerHTML={{ __html: clean ?? "" }} />
      {clean !== null && clean === "" && <p className="text-sm text-slate-600">Nothing to show yet.</p>}
    </div>
  );
}
