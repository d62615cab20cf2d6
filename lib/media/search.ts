// Search over a person's library: PostgreSQL full-text search on the analysis's search
// document (tags, caption, camera, lens, year and month taken — kept by a trigger, see the
// migration "search") through its GIN index. Every word must match, after English
// stemming, so "dogs 2023" finds dogs photographed in 2023. Whole words, not prefixes: for
// a prefix Postgres can only guess how many rows match (always 2 %), and with a wrong guess
// it scans every photo of the person instead of the few that match (docs/local-ai.md).
import { Prisma } from "@/lib/generated/prisma/client";
import type { Db } from "@/lib/db";
import { InvalidInputError } from "@/lib/errors";
import { toMediaView, type MediaRowLike, type MediaView } from "./view";

export const MAX_QUERY_CHARS = 200;
const MAX_WORDS = 8;

export interface SearchHit extends MediaView {
  caption: string;
  tags: string[];
}

/**
 * The words of a query as a to_tsquery text ("dog & 2023"), or null when there is no word
 * in it. Only letters and digits reach to_tsquery, so no input can make it fail.
 */
export function toTsQuery(q: string): string | null {
  const words = q
    .normalize("NFKC")
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu);
  if (!words) return null;
  return [...new Set(words)].slice(0, MAX_WORDS).join(" & ");
}

/** A photo row as the view reads it, plus the analysis fields a search shows. */
interface HitRow extends MediaRowLike {
  caption: string;
  tags: string[];
}

/** This owner's analysed photos matching `q`, newest first, at most `limit`. */
export async function searchOwnedMedia(db: Db, ownerId: string, q: string, opts: { limit: number; before?: Date }): Promise<SearchHit[]> {
  if (q.length > MAX_QUERY_CHARS) throw new InvalidInputError({ q: "too long" }, `A search is at most ${MAX_QUERY_CHARS} characters; shorten it.`);
  const query = toTsQuery(q);
  if (!query) return [];
  const before = opts.before ? Prisma.sql`AND m."createdAt" < ${opts.before}` : Prisma.empty;
  const rows = await db.$queryRaw<HitRow[]>(Prisma.sql`
    SELECT m."id", m."originalName", m."mime", m."size", m."status"::text AS "status", m."stage", m."progress",
           m."error", m."version", m."createdAt", m."completedAt", m."analysisSha", a."caption", a."tags"
      FROM "Analysis" a
      JOIN "Media" m ON m."analysisSha" = a."sha256"
     WHERE a."search" @@ to_tsquery('english', ${query})
       AND m."ownerId" = ${ownerId}::uuid
       ${before}
     ORDER BY m."createdAt" DESC
     LIMIT ${opts.limit}`);
  return rows.map((r) => ({ ...toMediaView(r), caption: r.caption, tags: r.tags }));
}
