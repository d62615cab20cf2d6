// A small preview made from an original, for photos that never got a thumbnail (the admin
// console shows failed photos, and the picture is often why they failed). Lenient on
// purpose: a truncated JPEG still shows the part that decoded. Bounded like the analysis:
// pixel limit before decoding, first frame only, small output.
import sharp from "sharp";

export const PREVIEW_SIZE = 256;

export async function previewFromOriginal(bytes: Buffer, maxPixels: number): Promise<Buffer> {
  return sharp(bytes, { failOn: "none", limitInputPixels: maxPixels, pages: 1 })
    .rotate()
    .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: "inside", withoutEnlargement: true })
    .webp({ quality: 70 })
    .toBuffer();
}
