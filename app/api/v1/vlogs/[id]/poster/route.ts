// GET/HEAD: the vlog's poster frame (JPEG).
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { fileResponse } from "@/lib/http/files";
import { vlogIdParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { storage } from "@/lib/storage/instance";
import { getOwnedVlog } from "@/lib/vlogs/repository";

export const runtime = "nodejs";

const handler = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const row = await getOwnedVlog(db(), user.id, vlogIdParam((await params).id));
  if (!row.posterKey) throw new NotFoundError("That poster");
  return fileResponse(request, storage(), row.posterKey, { contentType: "image/jpeg", cacheControl: "private, max-age=3600" });
});

export const GET = handler;
export const HEAD = handler;
