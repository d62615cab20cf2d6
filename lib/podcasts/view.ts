// The public JSON shapes of an episode and a show: what the API returns and SSE streams.
// Nothing here reveals storage keys, step inputs/outputs, the owner, or a show's secrets
// (webhook URLs and the signing secret are answered only as "set"/"not set").
import type { RunStatus } from "@/lib/workflow/types";
import { runView, type RunView, type StepView } from "@/lib/workflow/view";
import type { Chapter } from "./chapters";
import { EPISODE_PLAN } from "./plan";
import type { EpisodeRow, EpisodeSummaryRow, ShowRow } from "./repository";
import type { TranscriptSegment } from "./transcript";
import { episodeUrls, feedUrl, mediaUrl, type UrlConfig } from "./urls";

export type EpisodeStatus = "processing" | "ready_for_review" | "no_speech" | "publishing" | "published" | "failed";

export const EPISODE_STATUS_LABELS: Record<EpisodeStatus, string> = {
  processing: "Analysing",
  ready_for_review: "Ready for review",
  no_speech: "No speech found",
  publishing: "Publishing",
  published: "Published",
  failed: "Failed",
};

export type EpisodeStepView = StepView;

/** What lists and live updates carry (no transcript). */
export interface EpisodeView extends RunView {
  id: string;
  showId: string;
  title: string;
  /** The file name it was uploaded with. */
  originalName: string;
  status: EpisodeStatus;
  statusLabel: string;
  /** From ffprobe (the published MP3's once published). */
  durationSec: number | null;
  sourceBytes: number;
  /** In the show's feed now. */
  inFeed: boolean;
  publishedAt: string | null;
  /** A notification that could not be delivered (a dead Discord webhook…); never fails the publication. */
  notifyError: string | null;
  /** Grows with every change of the episode or its run: clients keep the highest they saw. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface EpisodeDetail extends EpisodeView {
  runId: string;
  summary: string | null;
  /** Sanitised HTML. */
  showNotes: string | null;
  keywords: string[];
  chapters: Chapter[];
  transcript: TranscriptSegment[] | null;
  /** Why there is no transcript, said plainly. */
  transcriptNote: string | null;
  language: string | null;
  season: number | null;
  episodeNumber: number | null;
  episodeType: string;
  /** null: follows the show. */
  explicit: boolean | null;
  /** Who wrote the title, summary and transcript: "local" or "gemini:<model>". */
  model: string | null;
  audio: { codec: string | null; channels: number | null; sampleRate: number | null; bitRate: number | null; container: string | null };
  loudness: unknown;
  urls: {
    /** The owner's player: the published MP3, or the upload before that (Range supported); its `?v=` changes with the file. */
    review: string;
    /** Public files (listeners' URLs), null until published. */
    audio: string | null;
    artwork: string | null;
    transcriptVtt: string | null;
    transcriptSrt: string | null;
    transcriptJson: string | null;
    chapters: string | null;
  };
  feed: { url: string; showTitle: string; inFeed: boolean; publishedAt: string | null };
  /** PATCH is accepted now (no step is running). */
  editable: boolean;
  canPublish: boolean;
  canUnpublish: boolean;
  canResume: boolean;
}

export interface ShowView {
  id: string;
  title: string;
  description: string;
  author: string;
  ownerName: string;
  ownerEmail: string;
  language: string;
  category: string;
  explicit: boolean;
  autoPublish: boolean;
  artworkUrl: string | null;
  feedUrl: string;
  feedVersion: number;
  feedUpdatedAt: string;
  podcastGuid: string;
  discordWebhook: boolean;
  webhookUrl: string | null;
  webhookSecretSet: boolean;
  createdAt: string;
}

interface ProbeFacts {
  container?: string;
  codec?: string;
  channels?: number;
  sampleRate?: number;
  bitRate?: number | null;
  silenceOnly?: boolean;
}

const probeOf = (row: { probe: unknown }) => (row.probe ?? {}) as ProbeFacts;

export function episodeStatus(run: { status: RunStatus; phase: string }, row: { probe: unknown; publishedAt: Date | null }): EpisodeStatus {
  if (run.status === "failed") return "failed";
  if (run.status === "completed") return "published";
  if (run.status === "waiting") return probeOf(row).silenceOnly ? "no_speech" : "ready_for_review";
  return run.phase === "analyse" ? "processing" : "publishing";
}

/** Nothing more happens without the person: a stream following it can end. */
export const isTerminalEpisode = (status: EpisodeStatus) => status !== "processing" && status !== "publishing";

export function toEpisodeView(row: EpisodeSummaryRow | EpisodeRow): EpisodeView {
  const run = row.run;
  const status = episodeStatus({ status: run.status as RunStatus, phase: run.phase }, row);
  return {
    id: row.id,
    showId: row.showId,
    title: row.title || row.originalName,
    originalName: row.originalName,
    status,
    statusLabel: EPISODE_STATUS_LABELS[status],
    ...runView(EPISODE_PLAN, run),
    durationSec: row.durationSec,
    sourceBytes: Number(row.sourceBytes),
    inFeed: Boolean(row.publishedAt && row.audioKey),
    publishedAt: row.publishedAt?.toISOString() ?? null,
    notifyError: row.notifyError,
    version: run.version + row.contentVersion,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toEpisodeDetail(row: EpisodeRow, show: ShowRow, urls: UrlConfig): EpisodeDetail {
  const view = toEpisodeView(row);
  const probe = probeOf(row);
  const files = row.publishedAt ? episodeUrls(urls, show, row) : null;
  const running = row.run.status === "running";
  return {
    ...view,
    runId: row.runId,
    summary: row.summary,
    showNotes: row.showNotes,
    keywords: row.keywords,
    chapters: (row.chapters as unknown as Chapter[] | null) ?? [],
    transcript: (row.transcript as unknown as TranscriptSegment[] | null) ?? null,
    transcriptNote: row.transcriptNote,
    language: row.language,
    season: row.season,
    episodeNumber: row.episodeNumber,
    episodeType: row.episodeType,
    explicit: row.explicit,
    model: row.model,
    audio: {
      codec: probe.codec ?? null,
      channels: probe.channels ?? null,
      sampleRate: probe.sampleRate ?? null,
      bitRate: probe.bitRate ?? null,
      container: probe.container ?? null,
    },
    loudness: row.loudness ?? null,
    urls: {
      // The same address serves the upload, then each encode: the version in the query
      // keeps a browser's cached copy (kept an hour) from answering for a newer file.
      review: `/api/v1/episodes/${row.id}/audio?v=${encodeURIComponent(row.audioKey?.split("/").slice(-2, -1)[0] ?? "source")}`,
      audio: files?.audio ?? null,
      artwork: files?.artwork ?? (show.artworkKey ? mediaUrl(urls, show, show.artworkKey) : null),
      transcriptVtt: files?.transcriptVtt ?? null,
      transcriptSrt: files?.transcriptSrt ?? null,
      transcriptJson: files?.transcriptJson ?? null,
      chapters: files?.chapters ?? null,
    },
    feed: { url: feedUrl(urls, show), showTitle: show.title, inFeed: view.inFeed, publishedAt: view.publishedAt },
    editable: !running,
    canPublish: view.status === "ready_for_review",
    canUnpublish: !running && view.inFeed,
    canResume: view.status === "failed",
  };
}

export function toShowView(show: ShowRow, urls: UrlConfig): ShowView {
  return {
    id: show.id,
    title: show.title,
    description: show.description,
    author: show.author,
    ownerName: show.ownerName,
    ownerEmail: show.ownerEmail,
    language: show.language,
    category: show.category,
    explicit: show.explicit,
    autoPublish: show.autoPublish,
    artworkUrl: show.artworkKey ? mediaUrl(urls, show, show.artworkKey) : null,
    feedUrl: feedUrl(urls, show),
    feedVersion: show.feedVersion,
    feedUpdatedAt: show.feedUpdatedAt.toISOString(),
    podcastGuid: show.podcastGuid,
    discordWebhook: Boolean(show.discordWebhookUrl),
    // The URL is the owner's own endpoint, shown so they can check it; the secret never is,
    // except once, when a webhook is first set (see the shows service).
    webhookUrl: show.webhookUrl,
    webhookSecretSet: Boolean(show.webhookSecret),
    createdAt: show.createdAt.toISOString(),
  };
}
