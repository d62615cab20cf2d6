// GET/HEAD: the vlog's MP4 (Range requests supported, so players can seek); ?download=1 saves it.
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { fileResponse } from "@/lib/http/files";
import { vlogIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { storage } from "@/lib/storage/instance";
import { getOwnedVlog } from "@/lib/vlogs/repository";
import { downloadName } from "@/lib/vlogs/view";

export const runtime = "nodejs";

const handler = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const row = await getOwnedVlog(db(), user.id, vlogIdParam((await params).id));
  if (!row.videoKey) throw new NotFoundError("That video");
  const download = new URL(request.url).searchParams.has("download") ? downloadName(row) : undefined;
  return fileResponse(request, storage(), row.videoKey, { contentType: "video/mp4", download, cacheControl: "private, max-age=3600" });
});

export const GET = handler;
export const HEAD = handler;
