"use client";

// Drop or pick photos; each file gets its own row with one progress bar that moves
// through uploading (bytes sent) → queued → analysing (stage names) → done or failed.
// The queue, drop zone and rows are the shared ones (the audio uploader uses them too).
// Files larger than `resumableFrom` bytes go with tus (components/resumable-upload.ts) and
// go on from where a dropped connection left them; smaller ones in one multipart request,
// sent again from the start once the network is back (sendForm). Both pause meanwhile.
// Photos shared to the installed app arrive here too (`sharedId`, see shared-files.ts).
import { useRouter } from "next/navigation";
import { startTransition, useCallback, useEffect, useRef, useState } from "react";
import { isTerminal, overallProgress } from "@/lib/media/progress";
import type { MediaView } from "@/lib/media/view";
import { apiFetch, errorMessage } from "./api-fetch";
import { DropZone } from "./drop-zone";
import { sendResumable } from "./resumable-upload";
import { takeSharedFiles } from "./shared-files";
import { isRetryableStatus, PAUSED_TEXT, refusalMessage, sendForm, useUploadQueue, type UploadItem } from "./upload-queue";
import { UploadList, type ListRow } from "./upload-list";
import { useLive } from "./use-live";

const ACCEPT = "image/jpeg,image/png,image/webp,image/gif,image/heic,image/heif,image/avif,.heic,.heif,.avif";

type Item = UploadItem<MediaView>;
const phaseOf = (item: Item) => (item.state === "accepted" ? item.accepted!.status : item.state);

function statusText(item: Item): string {
  const media = item.accepted;
  switch (phaseOf(item)) {
    case "uploading":
      if (item.paused) return PAUSED_TEXT;
      return item.uploaded >= 1 ? "Uploaded, saving…" : `Uploading ${Math.round(item.uploaded * 100)}%`;
    case "rejected":
    case "failed":
      return item.error ?? media?.error ?? "Failed";
    case "queued":
      return media?.stageLabel ?? "Queued";
    case "analysing":
      return `Analysing — ${media?.stageLabel ?? "starting"}`;
    case "done":
      return "Done";
  }
}

async function uploadOne(file: File, resumableFrom: number, onProgress: (fraction: number) => void, onPaused: (paused: boolean) => void) {
  let result;
  if (file.size > resumableFrom) {
    result = await sendResumable(file, { endpoint: "/api/v1/media/uploads", onProgress, onPaused });
  } else {
    const form = new FormData();
    form.append("files", file, file.name);
    result = await sendForm("/api/v1/media", form, { onProgress, onPaused });
  }
  const media = (result.body as { media?: MediaView[] } | null)?.media?.[0];
  if (result.status === 202 && media) return { accepted: media };
  return { error: refusalMessage(result), retryable: isRetryableStatus(result.status) };
}

/**
 * `onChange` is called when a photo is accepted and when one finishes. Files larger than
 * `resumableFrom` bytes are sent resumably (RESUMABLE_UPLOAD_THRESHOLD_BYTES). Photos shared
 * to the installed app arrive here too (`sharedId`, see shared-files.ts). `captionsBy` names the
 * remote provider photos are sent to for captions (null: all on this server), so the page
 * never says "analysed on this server" while copies go elsewhere.
 */
export function Uploader({
  onChange,
  resumableFrom = Infinity,
  sharedId = null,
  captionsBy = null,
}: {
  onChange?: () => void;
  resumableFrom?: number;
  sharedId?: string | null;
  captionsBy?: string | null;
}) {
  const accepted = useCallback(() => onChange?.(), [onChange]);
  const upload = useCallback(
    (file: File, onProgress: (f: number) => void, onPaused: (p: boolean) => void) => uploadOne(file, resumableFrom, onProgress, onPaused),
    [resumableFrom],
  );
  const { items, setItems, patch, addFiles, reupload } = useUploadQueue<MediaView>({ upload, onAccepted: accepted });

  // Shared photos are taken out of their waiting room once (taking removes them), then the
  // address loses its ?shared= so a reload does not look for them again.
  const router = useRouter();
  const taken = useRef<string | null>(null);
  const [shareNote, setShareNote] = useState<string | null>(null);
  useEffect(() => {
    if (!sharedId || taken.current === sharedId) return;
    taken.current = sharedId;
    takeSharedFiles(sharedId)
      .then((files) => {
        if (files.length > 0) addFiles(files);
        else setShareNote("The shared photos did not arrive (or were already uploaded). Choose them below instead.");
      })
      .catch(() => setShareNote("The shared photos could not be read. Choose them below instead."))
      .finally(() => router.replace("/", { scroll: false }));
  }, [sharedId, addFiles, router]);

  const following = items.filter((i) => i.accepted && !isTerminal(i.accepted.status)).map((i) => i.accepted!.id);
  useLive("media", following, (media) => {
    // A transition, like the queue's own row changes: events of many photos render together.
    // A state already shown (each reopened stream starts with a snapshot of up to 100
    // photos) leaves the list as it is, so React does not render at all.
    startTransition(() =>
      setItems((all) => {
        const at = all.findIndex((i) => i.accepted?.id === media.id);
        if (at < 0 || media.version <= all[at].accepted!.version) return all;
        const next = all.slice();
        next[at] = { ...all[at], accepted: media };
        return next;
      }),
    );
    if (isTerminal(media.status)) onChange?.();
  });

  async function retry(item: Item) {
    if (!item.accepted) return;
    try {
      const { media } = await apiFetch<{ media: MediaView }>(`/api/v1/media/${item.accepted.id}/retry`, { method: "POST" });
      patch(item.key, { accepted: media, error: undefined });
    } catch (err) {
      patch(item.key, { error: errorMessage(err) });
    }
  }

  // Every row's figures, also for the rows a long list leaves out of the page: its totals
  // count them all (components/upload-list.tsx).
  const rows = items.map((item): ListRow => {
    const phase = phaseOf(item);
    const failed = phase === "failed" || phase === "rejected";
    return {
      key: item.key,
      name: item.name,
      href: phase === "done" ? `/media/${item.accepted!.id}` : null,
      status: phase,
      text: statusText(item),
      tone: failed ? "failed" : phase === "done" ? "done" : "active",
      value: overallProgress({ phase, uploadedFraction: item.uploaded, analysisProgress: item.accepted?.progress }),
      action:
        phase === "failed"
          ? { label: "Retry", onClick: () => retry(item) }
          : phase === "rejected" && item.retryable
            ? { label: "Retry", onClick: () => reupload(item.key) }
            : null,
    };
  });

  return (
    <section aria-labelledby="upload-heading" className="space-y-4">
      <h2 id="upload-heading" className="sr-only">Upload photos</h2>
      {shareNote && <p role="status" className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">{shareNote}</p>}
      <DropZone
        title="Drop photos here"
        hint={`JPEG, PNG, WebP, GIF, HEIC or AVIF · ${captionsBy ? `captions by ${captionsBy}` : "analysed on this server"}`}
        button="Choose photos…"
        inputLabel="Choose photos to upload"
        accept={ACCEPT}
        onFiles={addFiles}
        capture={{ button: "Take photo…", inputLabel: "Take a photo to upload", accept: "image/*" }}
      />
      <UploadList rows={rows} noun="photos" />
    </section>
  );
}
