// What the podcast pages read from the API: an episode (one view, sent by GET, PATCH, the
// actions and the live stream) and a show. Kept to the fields the pages use, so the server's
// own view types can replace these where they agree.
import type { Chapter } from "@/lib/podcasts/chapters";
import type { TranscriptSegment } from "@/lib/podcasts/transcript";
import type { StepStatus } from "@/lib/workflow/types";

export type { Chapter, TranscriptSegment };

export type EpisodeStatus = "processing" | "ready_for_review" | "no_speech" | "publishing" | "published" | "failed";

export const EPISODE_STATUS_LABELS: Record<EpisodeStatus, string> = {
  processing: "Analysing",
  ready_for_review: "Ready for review",
  no_speech: "No speech found",
  publishing: "Publishing",
  published: "Published",
  failed: "Failed",
};

/** Still moving on its own: a page keeps following it. */
export const isEpisodeMoving = (status: EpisodeStatus) => status === "processing" || status === "publishing";

export interface EpisodeStepView {
  phase: string;
  phaseLabel: string;
  step: string;
  label: string;
  status: StepStatus;
  attempts: number;
  progress: number;
  note: string | null;
  error: string | null;
  durationMs: number | null;
}

/** What lists and live updates carry (no transcript). */
export interface EpisodeView {
  id: string;
  showId: string;
  /** The title, or the file name until there is one. */
  title: string;
  /** The uploaded file's name. */
  originalName: string;
  status: EpisodeStatus;
  statusLabel: string;
  /** 0..1 across both phases. */
  progress: number;
  /** 0..1 within the phase running now (analyse, or publish). */
  phaseProgress: number;
  phaseLabel: string | null;
  stepLabel: string | null;
  note: string | null;
  /** Which step failed and why, in words. */
  error: string | null;
  steps: EpisodeStepView[];
  durationSec: number | null;
  inFeed: boolean;
  publishedAt: string | null;
  /** A notification that could not be delivered; it never fails the publication. */
  notifyError: string | null;
  /** Grows with every change; stale live events are dropped by it. */
  version: number;
  createdAt: string;
}

/** One episode in full (GET /api/v1/episodes/:id, and the answer of every action on it). */
export interface EpisodeDetail extends EpisodeView {
  summary: string | null;
  /** Sanitised HTML. */
  showNotes: string | null;
  keywords: string[];
  chapters: Chapter[];
  transcript: TranscriptSegment[] | null;
  /** Why there is no transcript, said plainly. */
  transcriptNote: string | null;
  season: number | null;
  episodeNumber: number | null;
  episodeType: string;
  /** null: as the show says. */
  explicit: boolean | null;
  /** Who wrote the title, summary and transcript: "local" or "gemini:<model>". */
  model: string | null;
  urls: {
    /** The owner's player: the published MP3, or the upload before that (Range supported). */
    review: string;
    /** Listeners' files, null until published. */
    audio: string | null;
    transcriptVtt: string | null;
    transcriptSrt: string | null;
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
  /** Apple category: "Technology" or "Leisure > Video Games". */
  category: string;
  explicit: boolean;
  autoPublish: boolean;
  artworkUrl: string | null;
  feedUrl: string;
  /** The Discord webhook URL is write-only: the page only learns whether one is set. */
  discordWebhook: boolean;
  webhookUrl: string | null;
  webhookSecretSet: boolean;
  createdAt: string;
}

/** A show as answered by create and edit: the signing secret once, when a webhook is first set. */
export type ShowAnswer = ShowView & { webhookSecret?: string; upscaled?: boolean };

export type EpisodeType = "full" | "trailer" | "bonus";
