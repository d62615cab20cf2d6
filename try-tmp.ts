import sharp from "sharp";
import { makeJpeg } from "@/lib/media/test-images";
import { measureQuality } from "@/worker/processors/vlog/quality";
(async () => {
  for (const seed of [1, 2, 3]) {
    const img = await makeJpeg({ width: 800, height: 600, seed });
    const thumb = await sharp(img).resize(512).webp().toBuffer();
    const blurred = await sharp(img).blur(6).resize(512).webp().toBuffer();
    const dark = await sharp(img).linear(0.15, 0).resize(512).webp().toBuffer();
    console.log(seed, await measureQuality(thumb), await measureQuality(blurred), await measureQuality(dark));
  }
})();
