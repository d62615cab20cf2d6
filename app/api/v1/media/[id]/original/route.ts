// GET/HEAD: download the original file, always as an attachment (Range requests too).
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { fileResponse } from "@/lib/http/files";
import { mediaIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { getOwnedMedia } from "@/lib/media/repository";
import { storage } from "@/lib/storage/instance";

export const runtime = "nodejs";

const handler = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const row = await getOwnedMedia(db(), user.id, mediaIdParam((await params).id));
  return fileResponse(request, storage(), row.storageKey, {
    contentType: row.mime,
    download: row.originalName,
    cacheControl: "private, no-store",
  });
});

export const GET = handler;
export const HEAD = handler;
