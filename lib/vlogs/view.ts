// The public JSON shapes of a vlog: what the API returns and SSE streams. Nothing here
// reveals storage keys, step inputs/outputs or the owner.
import type { RunStatus } from "@/lib/workflow/types";
import { runView, type RunView, type StepView } from "@/lib/workflow/view";
import { STYLES, VLOG_PLAN, type VlogStyle } from "./plan";
import type { VlogRow } from "./repository";
import type { StoryboardDoc } from "./storyboard";

export type VlogStatus = "processing" | "storyboard_ready" | "waiting" | "rendering" | "completed" | "failed";

export const VLOG_STATUS_LABELS: Record<VlogStatus, string> = {
  processing: "Making the storyboard",
  storyboard_ready: "Storyboard ready for review",
  waiting: "Waiting for you to continue",
  rendering: "Rendering",
  completed: "Ready to watch",
  failed: "Failed",
};

export type VlogStepView = StepView;

export interface VlogView extends RunView {
  id: string;
  title: string;
  style: VlogStyle;
  styleLabel: string;
  resolution: string;
  status: VlogStatus;
  statusLabel: string;
  photoCount: number;
  thumbnailUrl: string | null;
  videoUrl: string | null;
  posterUrl: string | null;
  downloadUrl: string | null;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  /** Ordering for clients: grows with every change of the run or the storyboard. */
  version: number;
  storyboardVersion: number;
  createdAt: string;
}

export interface StoryboardView {
  title: string;
  style: VlogStyle;
  writer: string;
  version: number;
  /** `removed`: the photo was deleted; the video made before still shows it, the next render will not (no thumbnail). */
  shots: { mediaId: string; caption: string; duration: number; removed: boolean; thumbnailUrl: string | null }[];
  dropped: { mediaId: string; reason: string; removed: boolean; thumbnailUrl: string | null }[];
  /** Photos of the selection not in the storyboard now (they can be added back). */
  available: { mediaId: string; thumbnailUrl: string }[];
}

export interface VlogDetail extends VlogView {
  /** The workflow run behind it (admins can read its step history). */
  runId: string;
  storyboard: StoryboardView | null;
  /** Whether the storyboard can be edited right now (not while a step runs). */
  editable: boolean;
  share: { url: string; createdAt: string } | null;
  autoProgressPhases: boolean;
}

const thumb = (mediaId: string) => `/api/v1/media/${mediaId}/thumbnail`;

export function vlogStatus(run: { status: RunStatus; phase: string; step: string }): VlogStatus {
  if (run.status === "completed") return "completed";
  if (run.status === "failed") return "failed";
  if (run.status === "waiting") return run.phase === "render" && run.step === "think" ? "storyboard_ready" : "waiting";
  return run.phase === "storyboard" ? "processing" : "rendering";
}

export const isTerminalVlog = (status: VlogStatus) => status === "completed" || status === "failed";

export function storyboardOf(row: Pick<VlogRow, "storyboard">): StoryboardDoc | null {
  return (row.storyboard as unknown as StoryboardDoc | null) ?? null;
}

export function toVlogView(row: VlogRow): VlogView {
  const run = row.run;
  const status = vlogStatus({ ...run, status: run.status as RunStatus });
  const doc = storyboardOf(row);
  const style = (row.style in STYLES ? row.style : "cinematic") as VlogStyle;
  const hasVideo = Boolean(row.videoKey);
  return {
    id: row.id,
    title: doc?.title || row.title || "Untitled vlog",
    style,
    styleLabel: STYLES[style].label,
    resolution: row.resolution,
    status,
    statusLabel: VLOG_STATUS_LABELS[status],
    ...runView(VLOG_PLAN, run),
    photoCount: doc?.shots.length ?? row.mediaIds.length,
    thumbnailUrl: firstThumbnail(doc, row.mediaIds),
    // The version in the URL changes with every render, so caches never show an old video.
    videoUrl: hasVideo ? `/api/v1/vlogs/${row.id}/video?v=${encodeURIComponent(row.videoKey!.split("/").slice(-2, -1)[0] ?? "")}` : null,
    posterUrl: row.posterKey ? `/api/v1/vlogs/${row.id}/poster?v=${encodeURIComponent(row.posterKey.split("/").slice(-2, -1)[0] ?? "")}` : null,
    downloadUrl: hasVideo ? `/api/v1/vlogs/${row.id}/video?download=1` : null,
    durationSec: row.durationSec,
    width: row.width,
    height: row.height,
    version: run.version + row.storyboardVersion,
    storyboardVersion: row.storyboardVersion,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The list's picture: the first shot whose photo still exists (or the first photo chosen). */
function firstThumbnail(doc: StoryboardDoc | null, mediaIds: readonly string[]): string | null {
  const shot = doc?.shots.find((s) => !s.removed);
  if (shot) return thumb(shot.mediaId);
  if (doc) return null;
  return mediaIds[0] ? thumb(mediaIds[0]) : null;
}

export function toVlogDetail(row: VlogRow, appUrl: string): VlogDetail {
  const view = toVlogView(row);
  const doc = storyboardOf(row);
  const used = new Set(doc?.shots.map((s) => s.mediaId));
  return {
    ...view,
    runId: row.runId,
    storyboard: doc && {
      title: doc.title,
      style: doc.style,
      writer: doc.writer,
      version: row.storyboardVersion,
      shots: doc.shots.map((s) => ({ ...s, removed: Boolean(s.removed), thumbnailUrl: s.removed ? null : thumb(s.mediaId) })),
      dropped: doc.dropped.map((d) => ({ ...d, removed: Boolean(d.removed), thumbnailUrl: d.removed ? null : thumb(d.mediaId) })),
      available: row.mediaIds.filter((id) => !used.has(id)).map((id) => ({ mediaId: id, thumbnailUrl: thumb(id) })),
    },
    editable: Boolean(doc) && row.run.status !== "running",
    share: row.shareToken && row.sharedAt ? { url: shareUrl(appUrl, row.shareToken), createdAt: row.sharedAt.toISOString() } : null,
    autoProgressPhases: row.run.autoProgressPhases,
  };
}

export function shareUrl(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/$/, "")}/s/${token}`;
}

/** "Summer in Lisbon.mp4": the title, made safe for a file name. */
export function downloadName(row: Pick<VlogRow, "title" | "storyboard">): string {
  const title = storyboardOf(row)?.title || row.title || "vlog";
  // eslint-disable-next-line no-control-regex -- control characters are stripped from file names on purpose
  return `${title.replace(/[\/\\:*?"<>|\x00-\x1f]+/g, " ").replace(/\s+/g, " ").trim().slice(0, 80) || "vlog"}.mp4`;
}
