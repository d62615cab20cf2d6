// GET/HEAD (public): the poster frame behind a share link, /api/shared/<token>/poster (see ../video/route.ts).
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { fileResponse } from "@/lib/http/files";
import { route } from "@/lib/http/route";
import { storage } from "@/lib/storage/instance";
import { getVlogByShareToken } from "@/lib/vlogs/repository";
import { SHARE_TOKEN } from "@/lib/vlogs/share";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = route<{ params: Promise<{ token: string }> }>(async (request, { params }) => {
  const { token } = await params;
  const row = SHARE_TOKEN.test(token) ? await getVlogByShareToken(db(), token) : null;
  if (!row?.posterKey) throw new NotFoundError("That shared video");
  return fileResponse(request, storage(), row.posterKey, { contentType: "image/jpeg", cacheControl: "private, no-store" });
});

export const GET = handler;
export const HEAD = handler;
