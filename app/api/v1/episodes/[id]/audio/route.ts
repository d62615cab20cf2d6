// GET/HEAD: the episode's audio for its owner's review player — the published MP3 once
// there is one, the upload as received before — with Range requests, so the player seeks.
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { fileResponse } from "@/lib/http/files";
import { uuidParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { getOwnedEpisode } from "@/lib/podcasts/repository";
import { storage } from "@/lib/storage/instance";

export const runtime = "nodejs";

const handler = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  const row = await getOwnedEpisode(db(), user.id, uuidParam((await params).id, "That episode"));
  const key = row.audioKey ?? row.sourceKey;
  return fileResponse(request, storage(), key, {
    contentType: row.audioKey ? "audio/mpeg" : row.sourceMime,
    cacheControl: "private, max-age=3600",
  });
});

export const GET = handler;
export const HEAD = handler;
