// How usable a photo looks for a vlog: sharpness (variance of the Laplacian, the usual
// focus measure) and exposure (mid-toned, little clipped). Measured on the stored
// thumbnail, so it costs milliseconds; sharp runs on libuv's thread pool, not the event loop.
import sharp from "sharp";

const SIZE = 256;
/** Laplacian standard deviation at which a photo counts as fully sharp. */
const SHARP_STDDEV = 24;

export async function measureQuality(image: Buffer): Promise<{ sharpness: number; exposure: number }> {
  const grey = sharp(image, { failOn: "none" }).rotate().resize(SIZE, SIZE, { fit: "inside" }).greyscale();
  const [{ data: pixels }, { data: edges }] = await Promise.all([
    grey.clone().raw().toBuffer({ resolveWithObject: true }),
    // The Laplacian is signed; offset 128 keeps negative responses instead of clipping them.
    grey.clone().convolve({ width: 3, height: 3, kernel: [0, 1, 0, 1, -4, 1, 0, 1, 0], offset: 128 }).raw().toBuffer({ resolveWithObject: true }),
  ]);
  let sum = 0;
  let sumSq = 0;
  for (const v of edges) {
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / edges.length;
  const stddev = Math.sqrt(Math.max(0, sumSq / edges.length - mean * mean));
  const sharpness = Math.min(1, stddev / SHARP_STDDEV);

  let total = 0;
  let clipped = 0;
  for (const v of pixels) {
    total += v;
    if (v <= 4 || v >= 251) clipped += 1;
  }
  const brightness = total / pixels.length / 255;
  const exposure = Math.max(0, 1 - Math.abs(brightness - 0.5) * 2) * (1 - Math.min(1, (clipped / pixels.length) * 2));
  return { sharpness: round(sharpness), exposure: round(exposure) };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
