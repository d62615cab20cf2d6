// What the podcast pages read from the API (the shapes are lib/podcasts/view.ts's, imported
// as types only so the browser bundle does not take the server code), with what the pages
// add: which statuses still move, the answers of create/edit and artwork.
import type { Chapter } from "@/lib/podcasts/chapters";
import type { TranscriptSegment } from "@/lib/podcasts/transcript";
import type { EpisodeDetail, EpisodeStatus, EpisodeStepView, EpisodeView, ShowView } from "@/lib/podcasts/view";

export type { Chapter, TranscriptSegment };

export type { EpisodeDetail, EpisodeStatus, EpisodeStepView, EpisodeView, ShowView };

/** Still moving on its own: a page keeps following it. */
export const isEpisodeMoving = (status: EpisodeStatus) => status === "processing" || status === "publishing";

/** A show as answered by create and edit: the signing secret once, when a webhook is first set. */
export type ShowAnswer = ShowView & { webhookSecret?: string; upscaled?: boolean };

export type EpisodeType = "full" | "trailer" | "bonus";
