"use client";

// Your episodes, newest first: title, status, length, and a live bar while one is moving.
import Link from "next/link";
import { formatDuration } from "@/lib/podcasts/duration";
import { ProgressBar } from "../progress-bar";
import { StatusBadge } from "./status-badge";
import { isEpisodeMoving, type EpisodeView } from "./types";
import { useLive } from "../use-live";

export function EpisodeList({ episodes, showTitles, onUpdate }: {
  episodes: EpisodeView[];
  /** Show titles by id, named on each row when there is more than one show. */
  showTitles: Record<string, string> | null;
  onUpdate: (episode: EpisodeView) => void;
}) {
  useLive("episode", episodes.filter((e) => isEpisodeMoving(e.status)).map((e) => e.id), onUpdate);
  return (
    <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white" aria-label="Episodes">
      {episodes.map((e) => {
        const title = e.title;
        const percent = Math.round(e.progress * 100);
        const length = (e.durationSec != null ? formatDuration(e.durationSec) : null);
        const detail = isEpisodeMoving(e.status)
          ? `${e.stepLabel ?? "Queued"} · ${percent}%`
          : e.status === "failed"
            ? e.error
            : e.status === "published" && e.publishedAt
              ? `Published ${new Date(e.publishedAt).toLocaleDateString(undefined, { dateStyle: "medium" })}`
              : e.status === "ready_for_review"
                ? "Waiting for your review"
                : e.status === "no_speech"
                  ? "Nothing to publish"
                  : null;
        return (
          <li key={e.id} data-testid="episode-row" className="relative space-y-2 px-4 py-3 hover:bg-slate-50">
            <div className="flex items-start justify-between gap-3">
              <div className="min-w-0 space-y-0.5">
                {/* The link covers the row, so the whole row is one large touch target. */}
                <Link href={`/podcasts/episodes/${e.id}`} className="block truncate font-medium text-slate-900 after:absolute after:inset-0 hover:underline">
                  {title}
                </Link>
                <p className="text-sm text-slate-600">
                  {[showTitles?.[e.showId], length, detail].filter(Boolean).join(" · ")}
                </p>
              </div>
              <StatusBadge status={e.status} label={e.statusLabel} />
            </div>
            {isEpisodeMoving(e.status) && (
              <ProgressBar label={`Progress of ${title}`} valueText={`${percent}% — ${e.stepLabel ?? "queued"}`} value={e.progress} />
            )}
          </li>
        );
      })}
    </ul>
  );
}
