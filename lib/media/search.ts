// Search over a person's library: PostgreSQL full-text search on each photo's copy of its
// analysis's search document (tags, caption, camera, lens, year and month taken — built on
// Analysis and copied to Media by triggers, see the migrations "search" and "media_search")
// through the GIN index on (ownerId, search): the owner and the words are intersected inside
// the index, so a rare word costs the same however many photos other people have. Every
// word must match, after English stemming, so "dogs 2023" finds dogs photographed in 2023.
// Whole words, not prefixes: for a prefix Postgres can only guess how many rows match
// (always 2 %), and with a wrong guess it scans every photo of the person instead of the few
// that match (docs/local-ai.md).
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

/**
 * The SQL of a search: this owner's photos whose document matches `query` (a toTsQuery
 * text), newest first. Analysis is joined for the caption and tags of the hits only.
 * Exported for the plan test (search.int.test.ts) and the benchmarks' EXPLAIN.
 */
export function searchSql(ownerId: string, query: string, opts: { limit: number; before?: Date }): Prisma.Sql {
  const before = opts.before ? Prisma.sql`AND m."createdAt" < ${opts.before}` : Prisma.empty;
  return Prisma.sql`
    SELECT m."id", m."originalName", m."mime", m."size", m."status"::text AS "status", m."stage", m."progress",
           m."error", m."version", m."createdAt", m."completedAt", m."analysisSha", a."caption", a."tags"
      FROM "Media" m
      JOIN "Analysis" a ON a."sha256" = m."analysisSha"
     WHERE m."search" @@ to_tsquery('english', ${query})
       AND m."ownerId" = ${ownerId}::uuid
       ${before}
     ORDER BY m."createdAt" DESC
     LIMIT ${opts.limit}`;
}

/** This owner's analysed photos matching `q`, newest first, at most `limit`. */
export async function searchOwnedMedia(db: Db, ownerId: string, q: string, opts: { limit: number; before?: Date }): Promise<SearchHit[]> {
  if (q.length > MAX_QUERY_CHARS) throw new InvalidInputError({ q: "too long" }, `A search is at most ${MAX_QUERY_CHARS} characters; shorten it.`);
  const query = toTsQuery(q);
  if (!query) return [];
  const rows = await db.$queryRaw<HitRow[]>(searchSql(ownerId, query, opts));
  return rows.map((r) => ({ ...toMediaView(r), caption: r.caption, tags: r.tags }));
}
