// GET/HEAD: the photo's thumbnail (WebP, re-encoded, no metadata).
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { fileResponse } from "@/lib/http/files";
import { mediaIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { getOwnedMedia } from "@/lib/media/repository";
import { storage } from "@/lib/storage/instance";

export const runtime = "nodejs";

const handler = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const row = await getOwnedMedia(db(), user.id, mediaIdParam((await params).id));
  if (row.status !== "done" || !row.analysis) throw new NotFoundError("That thumbnail");
  return fileResponse(request, storage(), row.analysis.thumbnailKey, {
    contentType: "image/webp",
    cacheControl: "private, max-age=31536000, immutable",
  });
});

export const GET = handler;
export const HEAD = handler;
