// GET/HEAD (admins only): any photo's thumbnail, or a preview made from its original when it
// has none (failed photos), for the failed-jobs list of the operations console.
import { requireAdmin } from "@/lib/auth/admin";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { bytesResponse, fileResponse } from "@/lib/http/files";
import { mediaIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { log } from "@/lib/log";
import { getMediaForAdmin } from "@/lib/media/repository";
import { storage } from "@/lib/storage/instance";

export const runtime = "nodejs";

const CACHE = "private, max-age=300";

const handler = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  await requireAdmin(request);
  const row = await getMediaForAdmin(db(), mediaIdParam((await params).id));
  if (!row) throw new NotFoundError("That photo");
  if (row.analysis) {
    return fileResponse(request, storage(), row.analysis.thumbnailKey, { contentType: "image/webp", cacheControl: CACHE });
  }
  let preview: Buffer;
  try {
    // sharp only loads when an admin looks at a photo without a thumbnail.
    const { previewFromOriginal } = await import("@/lib/media/preview");
    preview = await previewFromOriginal(await storage().getBuffer(row.storageKey), env().MAX_PIXELS);
  } catch (err) {
    log().info({ mediaId: row.id, err: (err as Error).message }, "no preview for this photo");
    throw new NotFoundError("A preview of that photo");
  }
  return bytesResponse(request, preview, { contentType: "image/webp", cacheControl: CACHE });
});

export const GET = handler;
export const HEAD = handler;
