// What a local vision model saw in a photo: the contract between the model runner
// (human.ts, which only the worker loads) and the pure code that turns detections into
// tags and a caption (describe.ts).

export interface DetectedObject {
  /** One of COCO's 80 kinds of things, as the model names them: "dog", "wine glass". */
  label: string;
  /** 0..1 */
  score: number;
  /** [x, y, width, height] as fractions of the picture. */
  box: [number, number, number, number];
}

export interface Detections {
  objects: DetectedObject[];
  /** Face boxes, same units; not yet filtered (see countFaces). */
  faces: Array<{ score: number; box: [number, number, number, number] }>;
}

/** 8-bit RGB pixels, 3 channels, row-major: what lib/media/image decodes anyway. */
export interface RgbPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface VisionModel {
  /** Short, shown to users next to the caption: "CenterNet (COCO objects) + BlazeFace". */
  readonly label: string;
  /** The provider string saved with an analysis: "local:centernet". */
  readonly provider: string;
  detect(pixels: RgbPixels, signal?: AbortSignal): Promise<Detections>;
}
