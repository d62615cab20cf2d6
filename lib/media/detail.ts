// A photo with its analysis results, for the photo page and GET /api/v1/media/:id.
import type { ExifSummary } from "@/lib/ai/types";
import { toMediaView, type MediaRowLike, type MediaView } from "./view";

export interface AnalysisResult {
  width: number;
  height: number;
  format: string;
  exif: ExifSummary | null;
  takenAt: string | null;
  latitude: number | null;
  longitude: number | null;
  colours: string[];
  caption: string;
  tags: string[];
  provider: string;
}

export interface MediaDetail extends MediaView {
  originalUrl: string;
  analysis: AnalysisResult | null;
}

type AnalysisRow = Omit<AnalysisResult, "exif" | "takenAt"> & { exif: unknown; takenAt: Date | null };

export function toMediaDetail(row: MediaRowLike & { analysis: AnalysisRow | null }): MediaDetail {
  const a = row.status === "done" ? row.analysis : null;
  return {
    ...toMediaView(row),
    originalUrl: `/api/v1/media/${row.id}/original`,
    analysis: a && {
      width: a.width,
      height: a.height,
      format: a.format,
      exif: (a.exif as ExifSummary | null) ?? null,
      takenAt: a.takenAt?.toISOString() ?? null,
      latitude: a.latitude,
      longitude: a.longitude,
      colours: a.colours,
      caption: a.caption,
      tags: a.tags,
      provider: a.provider,
    },
  };
}
