// The only module that touches the Show and Episode tables (an episode's workflow run is
// lib/workflow's). Someone else's id is answered exactly like a missing one.
import { keepOwned, type Db, type Tx } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";

const withRun = { run: { include: { steps: { orderBy: { position: "asc" as const } } } } };
// Lists and live updates leave the transcript out: it can be megabytes for a long show.
const light = { transcript: true } as const;

export type ShowRow = Prisma.ShowGetPayload<object>;
export type EpisodeRow = Prisma.EpisodeGetPayload<{ include: typeof withRun }>;
export type EpisodeSummaryRow = Prisma.EpisodeGetPayload<{ include: typeof withRun; omit: typeof light }>;

// ── Shows

export function createShow(tx: Tx, data: Prisma.ShowUncheckedCreateInput) {
  return tx.show.create({ data });
}

export async function getOwnedShow(db: Tx, ownerId: string, id: string): Promise<ShowRow> {
  const row = await db.show.findFirst({ where: { id, ownerId } });
  if (!row) throw new NotFoundError("That show");
  return row;
}

export function listOwnedShows(db: Db, ownerId: string) {
  return db.show.findMany({ where: { ownerId }, orderBy: { createdAt: "asc" } });
}

/** The account's first show: where an episode goes when no show is named. */
export function firstOwnedShow(db: Tx, ownerId: string) {
  return db.show.findFirst({ where: { ownerId }, orderBy: { createdAt: "asc" } });
}

export function getShow(db: Tx, id: string) {
  return db.show.findUnique({ where: { id } });
}

export function getShowByFeedToken(db: Db, feedToken: string) {
  return db.show.findUnique({ where: { feedToken } });
}

/** Changes a show. Its feed is rebuilt separately (lib/podcasts/feed-store.ts). */
export function updateShow(tx: Tx, id: string, data: Prisma.ShowUncheckedUpdateInput) {
  return tx.show.update({ where: { id }, data });
}

/**
 * Records that the feed XML of version `from + 1` is stored: the feed's version (its ETag)
 * and build time (Last-Modified) move together, only if nobody else stored one meanwhile.
 */
export async function markFeedBuilt(tx: Tx, showId: string, from: number, builtAt: Date): Promise<boolean> {
  const moved = await tx.show.updateMany({ where: { id: showId, feedVersion: from }, data: { feedVersion: from + 1, feedUpdatedAt: builtAt } });
  return moved.count > 0;
}

// ── Episodes

export function createEpisode(tx: Tx, data: Prisma.EpisodeUncheckedCreateInput) {
  return tx.episode.create({ data, include: withRun });
}

export async function getOwnedEpisode(db: Tx, ownerId: string, id: string): Promise<EpisodeRow> {
  const row = await db.episode.findFirst({ where: { id, ownerId }, include: withRun });
  if (!row) throw new NotFoundError("That episode");
  return row;
}

export function findOwnedEpisodes(db: Db, ownerId: string, ids: readonly string[]): Promise<EpisodeSummaryRow[]> {
  return db.episode.findMany({ where: { id: { in: [...ids] } }, include: withRun, omit: light }).then((rows) => keepOwned(rows, ownerId));
}

export function listOwnedEpisodes(db: Db, ownerId: string, opts: { limit: number; showId?: string }) {
  return db.episode.findMany({
    where: { ownerId, ...(opts.showId ? { showId: opts.showId } : {}) },
    orderBy: { createdAt: "desc" },
    take: opts.limit,
    include: withRun,
    omit: light,
  });
}

export function getEpisode(db: Tx, id: string) {
  return db.episode.findUnique({ where: { id }, include: withRun });
}

export function getEpisodeByRun(db: Tx, runId: string): Promise<EpisodeSummaryRow | null> {
  return db.episode.findUnique({ where: { runId }, include: withRun, omit: light });
}

/** A storage-event ingest seen before (events arrive at least once). */
export function findIngested(db: Db, ownerId: string, ingestKey: string, ingestEtag: string) {
  return db.episode.findFirst({ where: { ownerId, ingestKey, ingestEtag }, include: withRun });
}

/** What the feed writes of each episode (not the transcript: a feed needs only its URL). */
const feedFields = {
  id: true,
  title: true,
  summary: true,
  showNotes: true,
  publishedAt: true,
  updatedAt: true,
  audioKey: true,
  audioBytes: true,
  durationSec: true,
  episodeNumber: true,
  season: true,
  episodeType: true,
  explicit: true,
  keywords: true,
  language: true,
  files: true,
} as const;

export type FeedEpisodeRow = Prisma.EpisodeGetPayload<{ select: typeof feedFields }>;

/** The episodes in a show's feed, newest first. */
export function publishedEpisodes(db: Tx, showId: string, limit = 5_000): Promise<FeedEpisodeRow[]> {
  return db.episode.findMany({
    where: { showId, publishedAt: { not: null }, audioKey: { not: null } },
    orderBy: { publishedAt: "desc" },
    take: limit,
    select: feedFields,
  });
}

/** A published episode of this show, by id (for the public file routes). */
export function findPublishedEpisode(db: Tx, showId: string, id: string) {
  return db.episode.findFirst({
    where: { id, showId, publishedAt: { not: null }, audioKey: { not: null } },
    select: { id: true, audioKey: true, files: true },
  });
}

export function updateEpisode(tx: Tx, id: string, data: Prisma.EpisodeUncheckedUpdateInput) {
  return tx.episode.update({ where: { id }, data: { ...data, contentVersion: { increment: 1 } }, include: withRun });
}

export function deleteEpisode(tx: Tx, id: string) {
  return tx.episode.delete({ where: { id } });
}

/** Some of this owner's episodes with what deleting them needs (account deletion, in batches). */
export function findEpisodesToDelete(db: Tx, ownerId: string, take: number) {
  return db.episode.findMany({ where: { ownerId }, take, select: { id: true, showId: true, runId: true, ingestKey: true } });
}

/** Some of this owner's shows (account deletion, after their episodes). */
export function findShowsToDelete(db: Tx, ownerId: string, take: number) {
  return db.show.findMany({ where: { ownerId }, take, select: { id: true } });
}

/** Deletes an episode by deleting its run (the run owns it, as in deleteEpisodeFor). */
export function deleteEpisodeRun(db: Tx, runId: string) {
  return db.workflowRun.deleteMany({ where: { id: runId } });
}

export function deleteShowRow(db: Tx, id: string) {
  return db.show.deleteMany({ where: { id } });
}

// ------------------------------------------------ what an owner has (lib/podcasts/owned.ts)

export function countOwnedEpisodes(db: Db, ownerId: string) {
  return db.episode.count({ where: { ownerId } });
}

export function countOwnedShows(db: Db, ownerId: string) {
  return db.show.count({ where: { ownerId } });
}

/** Bytes of this owner's uploaded recordings and their published audio. */
export async function ownedEpisodeBytes(db: Tx, ownerId: string): Promise<number> {
  const sum = (await db.episode.aggregate({ where: { ownerId }, _sum: { sourceBytes: true, audioBytes: true } }))._sum;
  return Number(sum.sourceBytes ?? 0) + Number(sum.audioBytes ?? 0);
}

/** Every show of this owner with its episodes, oldest first (the data export). */
export function allOwnedShowsWithEpisodes(db: Db, ownerId: string) {
  return db.show.findMany({ where: { ownerId }, include: { episodes: { orderBy: { createdAt: "asc" } } }, orderBy: { createdAt: "asc" } });
}

/** What the orphan collector needs to judge these shows' stored files. */
export function showsFilesOf(db: Db, ids: readonly string[]) {
  return db.show.findMany({ where: { id: { in: [...ids] } }, select: { id: true, artworkKey: true, feedVersion: true } });
}

/** What the orphan collector needs to judge these episodes' stored files. */
export function episodesFilesOf(db: Db, ids: readonly string[]) {
  return db.episode.findMany({ where: { id: { in: [...ids] } }, select: { id: true, showId: true, sourceKey: true, audioKey: true, files: true, run: { select: { generation: true } } } });
}
