// GET/HEAD (public): the video behind a share link (/api/shared/<token>/video). The unguessable token is the permission;
// it serves only this vlog's video, and stops the moment the owner revokes the link.
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { fileResponse } from "@/lib/http/files";
import { route } from "@/lib/http/route";
import { storage } from "@/lib/storage/instance";
import { getVlogByShareToken } from "@/lib/vlogs/repository";
import { SHARE_TOKEN } from "@/lib/vlogs/share";
import { downloadName } from "@/lib/vlogs/view";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = route<{ params: Promise<{ token: string }> }>(async (request, { params }) => {
  const { token } = await params;
  const row = SHARE_TOKEN.test(token) ? await getVlogByShareToken(db(), token) : null;
  if (!row?.videoKey) throw new NotFoundError("That shared video");
  const download = new URL(request.url).searchParams.has("download") ? downloadName(row) : undefined;
  // no-store: a revoked link must not keep working from a shared cache.
  return fileResponse(request, storage(), row.videoKey, { contentType: "video/mp4", download, cacheControl: "private, no-store" });
});

export const GET = handler;
export const HEAD = handler;
