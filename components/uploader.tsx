"use client";

// Drop or pick photos; each file gets its own row with one progress bar that moves
// through uploading (bytes sent) → queued → analysing (stage names) → done or failed.
import Link from "next/link";
import { useCallback, useRef, useState } from "react";
import { isTerminal, overallProgress } from "@/lib/media/progress";
import type { MediaView } from "@/lib/media/view";
import { ProgressBar } from "./progress-bar";
import { apiFetch, errorMessage } from "./api-fetch";
import { useLive } from "./use-live";

type Phase = "uploading" | "rejected" | MediaView["status"];

interface Item {
  key: string;
  name: string;
  size: number;
  phase: Phase;
  uploaded: number;
  media?: MediaView;
  error?: string;
}

const PARALLEL_UPLOADS = 3;
const ACCEPT = "image/jpeg,image/png,image/webp,image/gif,image/heic,image/heif,image/avif,.heic,.heif,.avif";

function statusText(item: Item): string {
  switch (item.phase) {
    case "uploading":
      return item.uploaded >= 1 ? "Uploaded, saving…" : `Uploading ${Math.round(item.uploaded * 100)}%`;
    case "rejected":
    case "failed":
      return item.error ?? item.media?.error ?? "Failed";
    case "queued":
      return item.media?.stageLabel ?? "Queued";
    case "analysing":
      return `Analysing — ${item.media?.stageLabel ?? "starting"}`;
    case "done":
      return "Done";
  }
}

function uploadOne(file: File, onProgress: (fraction: number) => void): Promise<{ media?: MediaView; error?: string }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    const form = new FormData();
    form.append("files", file, file.name);
    xhr.open("POST", "/api/v1/media");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      const body = xhr.response;
      if (xhr.status === 202 && body?.media?.[0]) return resolve({ media: body.media[0] });
      const retryAfter = xhr.getResponseHeader("Retry-After");
      const message = body?.error?.message ?? body?.rejected?.[0]?.error ?? `Upload failed (HTTP ${xhr.status}).`;
      resolve({ error: retryAfter && !/try again in/i.test(message) ? `${message} (try again in ${retryAfter}s)` : message });
    };
    xhr.onerror = () => resolve({ error: "The upload was interrupted. Check your connection and try again." });
    xhr.send(form);
  });
}

/** `onChange` is called when a photo is accepted and when one finishes. */
export function Uploader({ onChange }: { onChange?: () => void }) {
  const [items, setItems] = useState<Item[]>([]);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const pending = useRef<{ key: string; file: File }[]>([]);
  const running = useRef(0);

  const patch = useCallback((key: string, change: Partial<Item>) => {
    setItems((all) => all.map((i) => (i.key === key ? { ...i, ...change } : i)));
  }, []);

  // Starts uploads until PARALLEL_UPLOADS are running; each one that ends starts the next.
  const pump = useCallback(() => {
    const startNext = () => {
      while (running.current < PARALLEL_UPLOADS && pending.current.length > 0) {
        const { key, file } = pending.current.shift()!;
        running.current += 1;
        uploadOne(file, (uploaded) => patch(key, { uploaded })).then(({ media, error }) => {
          running.current -= 1;
          if (media) {
            patch(key, { media, phase: media.status, uploaded: 1 });
            onChange?.();
          } else patch(key, { phase: "rejected", error });
          startNext();
        });
      }
    };
    startNext();
  }, [patch, onChange]);

  const addFiles = useCallback(
    (files: FileList | File[]) => {
      const added = Array.from(files).map((file) => ({ key: crypto.randomUUID(), file }));
      if (added.length === 0) return;
      setItems((all) => [
        ...added.map(({ key, file }) => ({ key, name: file.name, size: file.size, phase: "uploading" as const, uploaded: 0 })),
        ...all,
      ]);
      pending.current.push(...added);
      pump();
    },
    [pump],
  );

  const following = items.filter((i) => i.media && !isTerminal(i.media.status)).map((i) => i.media!.id);
  useLive("media", following, (media) => {
    setItems((all) =>
      all.map((i) => (i.media?.id === media.id && media.version >= i.media.version ? { ...i, media, phase: media.status } : i)),
    );
    if (isTerminal(media.status)) onChange?.();
  });

  async function retry(item: Item) {
    if (!item.media) return;
    try {
      const { media } = await apiFetch<{ media: MediaView }>(`/api/v1/media/${item.media.id}/retry`, { method: "POST" });
      patch(item.key, { media, phase: media.status, error: undefined });
    } catch (err) {
      patch(item.key, { error: errorMessage(err) });
    }
  }

  return (
    <section aria-labelledby="upload-heading" className="space-y-4">
      <h2 id="upload-heading" className="sr-only">Upload photos</h2>
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          addFiles(e.dataTransfer.files);
        }}
        className={`flex flex-col items-center justify-center gap-3 rounded-xl border-2 border-dashed px-6 py-10 text-center transition-colors ${
          dragging ? "border-indigo-500 bg-indigo-50" : "border-slate-300 bg-white"
        }`}
      >
        <p className="text-base font-medium text-slate-800">Drop photos here</p>
        <p className="text-sm text-slate-500">JPEG, PNG, WebP, GIF, HEIC or AVIF · analysed on this server</p>
        <button
          type="button"
          onClick={() => input.current?.click()}
          className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700"
        >
          Choose photos…
        </button>
        <input
          ref={input}
          type="file"
          multiple
          accept={ACCEPT}
          className="sr-only"
          aria-label="Choose photos to upload"
          data-testid="file-input"
          onChange={(e) => {
            if (e.target.files) addFiles(e.target.files);
            e.target.value = "";
          }}
        />
      </div>

      {items.length > 0 && (
        <ul aria-label="Uploads" className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white">
          {items.map((item) => {
            const failed = item.phase === "failed" || item.phase === "rejected";
            const text = statusText(item);
            return (
              <li key={item.key} data-testid="upload-row" data-status={item.phase} className="space-y-2 px-4 py-3">
                <div className="flex items-center justify-between gap-4 text-sm">
                  <span className="truncate font-medium text-slate-800" title={item.name}>
                    {item.phase === "done" && item.media ? (
                      <Link href={`/media/${item.media.id}`} className="hover:underline">{item.name}</Link>
                    ) : (
                      item.name
                    )}
                  </span>
                  <span className="flex shrink-0 items-center gap-3">
                    <span role="status" className={failed ? "text-red-700" : item.phase === "done" ? "text-emerald-700" : "text-slate-600"}>
                      {text}
                    </span>
                    {item.phase === "failed" && (
                      <button type="button" onClick={() => retry(item)}
                        className="rounded-md border border-slate-300 px-2 py-1 text-xs font-medium hover:bg-slate-100">
                        Retry
                      </button>
                    )}
                  </span>
                </div>
                <ProgressBar
                  label={`Progress of ${item.name}`}
                  valueText={text}
                  tone={failed ? "failed" : item.phase === "done" ? "done" : "active"}
                  value={overallProgress({ phase: item.phase, uploadedFraction: item.uploaded, analysisProgress: item.media?.progress })}
                />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
