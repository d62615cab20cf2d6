// What the podcast pages read from the API: an episode (one view, sent by GET, PATCH, the
// actions and the live stream) and a show. Kept to the fields the pages use, so the server's
// own view types can replace these where they agree.
import type { Chapter } from "@/lib/podcasts/chapters";
import type { TranscriptSegment } from "@/lib/podcasts/transcript";
import type { StepStatus } from "@/lib/workflow/types";

export type { Chapter, TranscriptSegment };

export type EpisodeStatus = "processing" | "ready_for_review" | "publishing" | "published" | "failed";

export const EPISODE_STATUS_LABELS: Record<EpisodeStatus, string> = {
  processing: "Analysing",
  ready_for_review: "Ready for review",
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

export type EpisodeType = "full" | "trailer" | "bonus";

export interface EpisodeView {
  id: string;
  showId: string;
  /** The uploaded file's name (display only). */
  originalName: string;
  title: string | null;
  status: EpisodeStatus;
  /** 0..1 across the whole run. */
  progress: number;
  phaseLabel: string | null;
  stepLabel: string | null;
  note: string | null;
  steps: EpisodeStepView[];
  /** Why the run stopped (readable), when failed. */
  error: string | null;
  /** False while a step runs (a PATCH would answer 409). */
  editable: boolean;
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
  episodeType: EpisodeType;
  explicit: boolean | null;
  durationSec: number | null;
  publishedAt: string | null;
  /** A Discord (or webhook) notification that could not be delivered. */
  notifyError: string | null;
  urls: {
    audio: string | null;
    feed: string | null;
    vtt?: string | null;
    srt?: string | null;
    chapters?: string | null;
  };
  /** Grows with every change; stale live events are dropped by it. */
  version: number;
  createdAt: string;
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
  artworkUrl: string | null;
  /** The Discord webhook URL is write-only: the page only learns whether one is set. */
  discordWebhookSet: boolean;
  webhookUrl: string | null;
  autoPublish: boolean;
  feedUrl: string;
  createdAt: string;
}

/** The fields the review form sends (PATCH /api/v1/episodes/:id). */
export interface EpisodeEdit {
  title: string;
  summary: string;
  showNotes: string;
  keywords: string[];
  chapters: Chapter[];
  season: number | null;
  episodeNumber: number | null;
  episodeType: EpisodeType;
  explicit: boolean;
}
