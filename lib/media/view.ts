// The public JSON shape of a photo: what the API returns and SSE streams. Nothing here
// reveals storage keys, hashes or the owner.
import type { MediaStatus } from "./progress";
import { stageLabel } from "./progress";

export interface MediaView {
  id: string;
  name: string;
  mime: string;
  size: number;
  status: MediaStatus;
  stage: string | null;
  stageLabel: string | null;
  progress: number;
  error: string | null;
  version: number;
  createdAt: string;
  completedAt: string | null;
  thumbnailUrl: string | null;
}

export interface MediaRowLike {
  id: string;
  originalName: string;
  mime: string;
  size: number;
  status: MediaStatus;
  stage: string | null;
  progress: number;
  error: string | null;
  version: number;
  createdAt: Date;
  completedAt: Date | null;
  analysisSha: string | null;
}

export function toMediaView(row: MediaRowLike): MediaView {
  return {
    id: row.id,
    name: row.originalName,
    mime: row.mime,
    size: row.size,
    status: row.status,
    stage: row.stage,
    stageLabel: stageLabel(row.stage),
    progress: row.progress,
    error: row.error,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    thumbnailUrl: row.status === "done" && row.analysisSha ? `/api/v1/media/${row.id}/thumbnail` : null,
  };
}
