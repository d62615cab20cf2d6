"use client";

// An episode's page: live progress while it is analysed or published (each step by name),
// the review form at the gate, and once there is audio the player with chapters and the
// transcript; the feed state, a notification that failed, Unpublish, and Delete.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import { formatDuration } from "@/lib/podcasts/duration";
import { apiFetch, errorMessage } from "../api-fetch";
import { ConfirmDialog } from "../confirm-dialog";
import { ProgressBar } from "../progress-bar";
import { StepList } from "../step-list";
import { EpisodePlayer, Transcript } from "./episode-player";
import { ReviewForm } from "./review-form";
import { StatusBadge } from "./status-badge";
import { isEpisodeMoving, type EpisodeDetail, type EpisodeView } from "./types";
import { useLive } from "../use-live";

function statusLine(e: EpisodeView): string {
  switch (e.status) {
    case "processing":
      return `Analysing — ${e.stepLabel ?? "waiting for a worker"}${e.note ? ` (${e.note})` : ""}`;
    case "publishing":
      return `Publishing — ${e.stepLabel ?? "waiting for a worker"}${e.note ? ` (${e.note})` : ""}`;
    case "ready_for_review":
      return "Ready for review: check the details below, then publish.";
    case "no_speech":
      return "No speech was found in this recording, so there is nothing to publish.";
    case "published":
      return "Published.";
    case "failed":
      return `A step failed${e.stepLabel ? ` (${e.stepLabel})` : ""}.`;
  }
}

export function EpisodeWorkspace({ initial }: { initial: EpisodeDetail }) {
  const router = useRouter();
  const [episode, setEpisode] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const [deleting, setDeleting] = useState(false);

  /** A full answer (an action's) replaces the episode; a newer one is never overwritten. */
  const accept = useCallback((next: EpisodeDetail) => setEpisode((current) => (next.version >= current.version ? next : current)), []);
  const refresh = useCallback(async () => {
    try {
      accept(await apiFetch<EpisodeDetail>(`/api/v1/episodes/${initial.id}`));
    } catch {
      /* the live view keeps the page current; the next change tries again */
    }
  }, [accept, initial.id]);

  // Live updates carry progress, not the transcript or chapters: those are fetched when the status changes.
  useLive("episode", isEpisodeMoving(episode.status) ? [episode.id] : [], (update) => {
    setEpisode((current) => {
      if (update.version <= current.version) return current;
      if (update.status !== current.status) void refresh();
      return { ...current, ...update, editable: !isEpisodeMoving(update.status) && current.editable };
    });
  });

  async function act(path: "resume" | "unpublish") {
    setBusy(true);
    setMessage(null);
    try {
      accept(await apiFetch<EpisodeDetail>(`/api/v1/episodes/${episode.id}/${path}`, { method: "POST" }));
      setMessage({ text: path === "resume" ? "Trying the failed step again." : "Unpublished: the episode is out of the feed and back at review." });
    } catch (err) {
      setMessage({ text: errorMessage(err), error: true });
    }
    setBusy(false);
  }

  async function remove() {
    try {
      await apiFetch(`/api/v1/episodes/${episode.id}`, { method: "DELETE" });
      router.push("/podcasts");
      router.refresh();
    } catch (err) {
      setDeleting(false);
      setMessage({ text: `Not deleted: ${errorMessage(err)}`, error: true });
    }
  }

  const title = episode.title;
  const moving = isEpisodeMoving(episode.status);
  const percent = Math.round(episode.progress * 100);
  const line = statusLine(episode);
  // The review fields exist once the analyse phase is done (and a silent recording has none worth editing).
  const analysed = episode.steps.filter((s) => s.phase === "analyse").every((s) => s.status === "succeeded");
  const hasDetails = analysed && episode.status !== "no_speech";
  const length = episode.durationSec != null ? formatDuration(episode.durationSec) : null;
  const review = hasDetails ? <ReviewForm episode={episode} onChange={accept} /> : null;

  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <h1 className="min-w-0 break-words text-2xl font-semibold tracking-tight">{title}</h1>
          <StatusBadge status={episode.status} label={episode.statusLabel} />
        </div>
        <p className="break-all text-sm text-slate-600">
          {[episode.feed.showTitle, length, episode.title !== episode.originalName ? episode.originalName : null].filter(Boolean).join(" · ")}
        </p>
      </header>

      <section aria-labelledby="progress-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="progress-heading" className="text-sm font-semibold uppercase tracking-wide text-slate-600">Progress</h2>
          {moving && <span className="text-sm text-slate-600">{percent}%</span>}
        </div>
        <p role="status" aria-live="polite" data-testid="episode-status-line" className="text-sm text-slate-800">{line}</p>
        {(moving || episode.status === "failed") && (
          <ProgressBar label="Episode progress" valueText={`${percent}% — ${line}`} value={episode.progress}
            tone={episode.status === "failed" ? "failed" : "active"} />
        )}
        {episode.canResume && (
          <div role="alert" className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-red-200 bg-red-50 p-3 text-red-800">
            <p className="min-w-0 text-sm">{episode.error ?? "The step failed."}</p>
            <button type="button" disabled={busy} onClick={() => act("resume")}
              className="min-h-11 rounded-md border border-red-300 bg-white px-4 text-sm font-medium hover:bg-red-100 disabled:opacity-60">
              Retry
            </button>
          </div>
        )}
        {moving || episode.status === "failed" ? (
          <StepList steps={episode.steps} />
        ) : (
          <details className="text-sm">
            <summary className="flex min-h-11 cursor-pointer items-center text-slate-700">Steps ({episode.steps.length})</summary>
            <div className="pt-2"><StepList steps={episode.steps} /></div>
          </details>
        )}
      </section>

      {episode.feed.inFeed && <FeedState episode={episode} busy={busy} onUnpublish={() => act("unpublish")} />}
      <p role="status" aria-live="polite" className={`text-sm ${message?.error ? "text-red-700" : "text-emerald-700"}`}>{message?.text}</p>

      {/* At the gate the form comes first (it is the job at hand); once published, listening does. */}
      {episode.status === "ready_for_review" && review}
      {hasDetails ? (
        <EpisodePlayer title={title} audioUrl={episode.urls.review} chapters={episode.chapters} transcript={episode.transcript} transcriptNote={episode.transcriptNote} />
      ) : (
        analysed && (
          <section aria-label="Transcript" className="space-y-2">
            <Transcript segments={episode.transcript} note={episode.transcriptNote} />
          </section>
        )
      )}
      {episode.status !== "ready_for_review" && review}

      <section aria-labelledby="danger-heading" className="space-y-2 rounded-xl border border-red-200 bg-white p-4">
        <h2 id="danger-heading" className="text-lg font-semibold">Delete</h2>
        <p className="text-sm text-slate-600">
          Deleting removes the episode, its audio, transcript and chapters{episode.feed.inFeed ? ", and takes it out of the feed" : ""}. It cannot be undone.
        </p>
        <button type="button" onClick={() => setDeleting(true)}
          className="min-h-11 rounded-md border border-red-300 px-4 text-sm font-medium text-red-700 hover:bg-red-50">
          Delete episode…
        </button>
      </section>
      <ConfirmDialog open={deleting} title={`Delete “${title}”?`} confirm="Delete for good" danger typed="delete"
        onConfirm={remove} onCancel={() => setDeleting(false)}>
        <p>The episode and its files are deleted{episode.feed.inFeed ? " and it disappears from the feed (apps that downloaded it keep their copy)" : ""}.</p>
      </ConfirmDialog>
    </div>
  );
}

function FeedState({ episode, busy, onUnpublish }: { episode: EpisodeDetail; busy: boolean; onUnpublish: () => void }) {
  const since = episode.feed.publishedAt ? new Date(episode.feed.publishedAt) : null;
  return (
    <section aria-labelledby="feed-state-heading" className="space-y-3 rounded-xl border border-emerald-200 bg-emerald-50/60 p-4">
      <h2 id="feed-state-heading" className="text-lg font-semibold">In the feed</h2>
      <p className="text-sm text-slate-800" data-testid="feed-state">
        {since ? <>Published <time dateTime={since.toISOString()} suppressHydrationWarning>{since.toLocaleString()}</time>. </> : null}
        Podcast apps subscribed to “{episode.feed.showTitle}” get it the next time they check.
      </p>
      {episode.notifyError && (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <strong className="font-semibold">The notification was not delivered:</strong> {episode.notifyError} The episode is published regardless; check the webhook in the{" "}
          <Link href={`/podcasts/shows/${episode.showId}`} className="font-medium underline">show settings</Link>.
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        {(
          <a href={episode.feed.url} target="_blank" rel="noreferrer"
            className="inline-flex min-h-11 items-center rounded-md border border-slate-300 bg-white px-3 text-sm font-medium hover:bg-slate-100">
            Open the feed
          </a>
        )}
        {episode.canUnpublish && (
          <button type="button" disabled={busy} onClick={onUnpublish}
            className="min-h-11 rounded-md border border-slate-300 bg-white px-3 text-sm font-medium hover:bg-slate-100 disabled:opacity-60">
            Unpublish
          </button>
        )}
      </div>
    </section>
  );
}
