"use client";

// Drop or pick recordings; each file gets a row whose one bar moves from bytes sent through
// every analysis step by name to "Ready for review" (or Published, with auto-publish), or
// stops at a readable error with Retry where trying again can help. Recordings larger than
// `resumableFrom` bytes go with tus (components/resumable-upload.ts): hours of audio over
// hotel Wi-Fi survive a dropped connection.
import { useCallback, useState } from "react";
import { apiFetch, errorMessage } from "../api-fetch";
import { DropZone } from "../drop-zone";
import { sendResumable } from "../resumable-upload";
import { isRetryableStatus, PAUSED_TEXT, refusalMessage, sendForm, useUploadQueue, type UploadItem } from "../upload-queue";
import { UploadList, type ListRow } from "../upload-list";
import { isEpisodeMoving, type EpisodeDetail, type EpisodeStatus, type EpisodeView } from "./types";
import { useLive } from "../use-live";

const ACCEPT = "audio/mpeg,audio/mp4,audio/x-m4a,audio/aac,audio/wav,audio/x-wav,audio/flac,audio/ogg,audio/opus,.mp3,.m4a,.aac,.wav,.flac,.ogg,.oga,.opus";
/** The upload's share of the bar; the pipeline fills the rest. */
const UPLOAD_SHARE = 0.25;

interface Accepted {
  id: string;
  status: EpisodeStatus;
  episode?: EpisodeView;
}

function rowText(item: UploadItem<Accepted>): string {
  if (item.state === "uploading") {
    if (item.paused) return PAUSED_TEXT;
    return item.uploaded >= 1 ? "Uploaded, saving…" : `Uploading ${Math.round(item.uploaded * 100)}%`;
  }
  if (item.state === "rejected") return item.error ?? "The upload failed.";
  const episode = item.accepted!.episode;
  switch (episode?.status ?? item.accepted!.status) {
    case "processing":
      return episode?.stepLabel ? `Analysing — ${episode.stepLabel}` : "Queued";
    case "ready_for_review":
      return "Ready for review";
    case "no_speech":
      return "No speech found: nothing to publish";
    case "publishing":
      return `Publishing — ${episode?.stepLabel ?? "starting"}`;
    case "published":
      return "Published";
    case "failed":
      return episode?.error ?? "A step failed.";
  }
}

function rowValue(item: UploadItem<Accepted>): number {
  if (item.state !== "accepted") return UPLOAD_SHARE * item.uploaded;
  const episode = item.accepted!.episode;
  if (!episode) return UPLOAD_SHARE;
  if (episode.status === "ready_for_review" || episode.status === "no_speech" || episode.status === "published") return 1;
  // Analysis fills the rest of the bar by itself; with auto-publish, the whole run does.
  return UPLOAD_SHARE + (1 - UPLOAD_SHARE) * (episode.status === "processing" ? episode.phaseProgress : episode.progress);
}

function rowStatus(item: UploadItem<Accepted>): string {
  return item.state === "accepted" ? (item.accepted!.episode?.status ?? item.accepted!.status) : item.state;
}

/** `onChange` is called when a file is accepted and whenever one stops moving. */
export function AudioUploader({ showId, onChange, resumableFrom = Infinity }: { showId?: string; onChange?: () => void; resumableFrom?: number }) {
  const [busy, setBusy] = useState<string | null>(null);
  const upload = useCallback(
    async (file: File, onProgress: (f: number) => void, onPaused: (p: boolean) => void) => {
      let result;
      if (file.size > resumableFrom) {
        const metadata: Record<string, string> = showId ? { showId } : {};
        result = await sendResumable(file, { endpoint: "/api/v1/episodes/uploads", metadata, onProgress, onPaused });
      } else {
        const form = new FormData();
        // The show first: a streaming reader knows where the file goes before it arrives.
        if (showId) form.append("showId", showId);
        form.append("file", file, file.name);
        result = await sendForm("/api/v1/episodes", form, { onProgress, onPaused });
      }
      const body = result.body as { episodeId?: string; status?: EpisodeStatus } | null;
      if (result.status === 202 && body?.episodeId) return { accepted: { id: body.episodeId, status: body.status ?? "processing" } };
      return { error: refusalMessage(result), retryable: isRetryableStatus(result.status) };
    },
    [showId, resumableFrom],
  );
  const { items, setItems, addFiles, reupload } = useUploadQueue<Accepted>({ upload, parallel: 2, onAccepted: () => onChange?.() });

  const following = items
    .filter((i) => i.state === "accepted" && isEpisodeMoving(i.accepted!.episode?.status ?? i.accepted!.status))
    .map((i) => i.accepted!.id);
  useLive("episode", following, (episode) => {
    setItems((all) =>
      all.map((i) =>
        i.accepted?.id === episode.id && episode.version >= (i.accepted.episode?.version ?? -1)
          ? { ...i, accepted: { ...i.accepted, status: episode.status, episode } }
          : i,
      ),
    );
    if (!isEpisodeMoving(episode.status)) onChange?.();
  });

  async function resume(item: UploadItem<Accepted>) {
    const id = item.accepted!.id;
    setBusy(item.key);
    try {
      const episode = await apiFetch<EpisodeDetail>(`/api/v1/episodes/${id}/resume`, { method: "POST" });
      setItems((all) => all.map((i) => (i.key === item.key ? { ...i, accepted: { id, status: episode.status, episode }, error: undefined } : i)));
    } catch (err) {
      setItems((all) => all.map((i) => (i.key === item.key && i.accepted?.episode
        ? { ...i, accepted: { ...i.accepted, episode: { ...i.accepted.episode, error: `${errorMessage(err)}` } } }
        : i)));
    }
    setBusy(null);
  }

  const rows = items.map((item): ListRow => {
    const status = rowStatus(item);
    const failed = status === "failed" || status === "rejected";
    const done = status === "ready_for_review" || status === "published" || status === "no_speech";
    return {
      key: item.key,
      name: item.name,
      href: item.accepted ? `/podcasts/episodes/${item.accepted.id}` : null,
      status,
      text: rowText(item),
      tone: failed ? "failed" : done ? "done" : "active",
      value: rowValue(item),
      action:
        status === "failed"
          ? { label: "Retry", onClick: () => resume(item), busy: busy === item.key }
          : status === "rejected" && item.retryable
            ? { label: "Retry", onClick: () => reupload(item.key) }
            : null,
    };
  });

  return (
    <section aria-labelledby="upload-audio-heading" className="space-y-4">
      <h2 id="upload-audio-heading" className="sr-only">Upload episodes</h2>
      <DropZone
        title="Drop audio files here"
        hint="MP3, M4A, WAV, FLAC, OGG/Opus · up to 4 hours"
        button="Choose audio files…"
        inputLabel="Choose audio files to upload"
        accept={ACCEPT}
        onFiles={addFiles}
      />
      <UploadList rows={rows} noun="files" />
    </section>
  );
}
