// The contract between the analysis pipeline and any caption/tag provider.
import type { RgbPixels } from "./vision/types";

/** What EXIF says about a photo, reduced to the fields people care about. */
export interface ExifSummary {
  cameraMake?: string;
  cameraModel?: string;
  lens?: string;
  takenAt?: string; // ISO 8601
  latitude?: number;
  longitude?: number;
  iso?: number;
  exposureTime?: number; // seconds
  fNumber?: number;
  focalLength?: number; // mm
}

/** Pixel-level facts the image step measured, handed to every provider. */
export interface ImageFeatures {
  width: number;
  height: number;
  orientation: "landscape" | "portrait" | "square";
  /** Mean luminance, 0 (black) .. 1 (white). */
  brightness: number;
  /** Mean saturation, 0 .. 1. */
  saturation: number;
  /** Dominant colours as #rrggbb, most dominant first. */
  colours: string[];
  exif: ExifSummary | null;
}

export interface DescribeInput {
  /** A downscaled JPEG of the photo (long side ≤ 1024 px). */
  image: Buffer;
  mime: "image/jpeg";
  features: ImageFeatures;
  /** The same picture as RGB pixels, long side ≤ 512 px, for a local vision model. */
  pixels?: RgbPixels;
}

export interface Description {
  caption: string;
  tags: string[];
  /**
   * "local" (colours and EXIF only), "local:centernet" (plus the local vision model) or
   * "<provider>:<model>" of the chain's provider that answered ("gemini:gemini-2.5-flash",
   * "openai:…", "anthropic:…") — shown to the user so they know who wrote it.
   */
  provider: string;
}

export interface AiProvider {
  readonly name: string;
  /**
   * True when describe() is mostly a wait on another machine (a remote API), not CPU work
   * here: the worker then decodes the next photo meanwhile (worker/ahead.ts).
   */
  readonly remote?: boolean;
  describe(input: DescribeInput, signal?: AbortSignal): Promise<Description>;
}
