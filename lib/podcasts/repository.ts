// The only module that touches the Show and Episode tables (an episode's workflow run is
// lib/workflow's). Someone else's id is answered exactly like a missing one.
import type { Db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";

type Tx = Prisma.TransactionClient | Db;

const withRun = { run: { include: { steps: { orderBy: { position: "asc" as const } } } } };

export type ShowRow = Prisma.ShowGetPayload<object>;
export type EpisodeRow = Prisma.EpisodeGetPayload<{ include: typeof withRun }>;

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

/** Changes a show and bumps its feed version (the feed's ETag), in one statement. */
export function updateShow(tx: Tx, id: string, data: Prisma.ShowUncheckedUpdateInput) {
  return tx.show.update({ where: { id }, data: { ...data, feedVersion: { increment: 1 }, feedUpdatedAt: new Date() } });
}

/** Marks the feed changed (an episode was published, edited or withdrawn). */
export function touchFeed(tx: Tx, showId: string) {
  return tx.show.update({ where: { id: showId }, data: { feedVersion: { increment: 1 }, feedUpdatedAt: new Date() } });
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

export function findOwnedEpisodes(db: Db, ownerId: string, ids: readonly string[]) {
  return db.episode.findMany({ where: { ownerId, id: { in: [...ids] } }, include: withRun });
}

export function listOwnedEpisodes(db: Db, ownerId: string, opts: { limit: number; showId?: string }) {
  return db.episode.findMany({
    where: { ownerId, ...(opts.showId ? { showId: opts.showId } : {}) },
    orderBy: { createdAt: "desc" },
    take: opts.limit,
    include: withRun,
  });
}

export function getEpisode(db: Tx, id: string) {
  return db.episode.findUnique({ where: { id }, include: withRun });
}

export function getEpisodeByRun(db: Tx, runId: string) {
  return db.episode.findUnique({ where: { runId }, include: withRun });
}

/** A storage-event ingest seen before (events arrive at least once). */
export function findIngested(db: Db, ownerId: string, ingestKey: string, ingestEtag: string) {
  return db.episode.findFirst({ where: { ownerId, ingestKey, ingestEtag }, include: withRun });
}

/** The episodes in a show's feed, newest first. */
export function publishedEpisodes(db: Db, showId: string, limit = 5_000) {
  return db.episode.findMany({
    where: { showId, publishedAt: { not: null }, audioKey: { not: null } },
    orderBy: { publishedAt: "desc" },
    take: limit,
  });
}

export function updateEpisode(tx: Tx, id: string, data: Prisma.EpisodeUncheckedUpdateInput) {
  return tx.episode.update({ where: { id }, data: { ...data, contentVersion: { increment: 1 } }, include: withRun });
}

export function deleteEpisode(tx: Tx, id: string) {
  return tx.episode.delete({ where: { id } });
}
