// GET/HEAD: a published file of the show behind the feed token — episode MP3s (Range, 206,
// exact Content-Length, HEAD), artwork, WebVTT/SRT/JSON transcripts and chapters, all
// readable from any site (CORS *), cached for good (their names change with their bytes).
// Only what the feed names is served; anything else (a source upload, another show's file,
// an unpublished episode) answers 404, as does a rotated token.
import { db } from "@/lib/db";
import { fileResponse } from "@/lib/http/files";
import { route } from "@/lib/http/route";
import { IMMUTABLE } from "@/lib/podcasts/keys";
import { publicFile } from "@/lib/podcasts/public-files";
import { storage } from "@/lib/storage/instance";

export const runtime = "nodejs";

const handler = route<{ params: Promise<{ token: string; path: string[] }> }>(
  async (request, { params }) => {
    const { token, path } = await params;
    const file = await publicFile(db(), token, path);
    return fileResponse(request, storage(), file.key, { contentType: file.contentType, cacheControl: IMMUTABLE, public: true });
  },
  { quiet: true },
);

export const GET = handler;
export const HEAD = handler;
