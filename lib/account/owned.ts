// What a person owns, declared by each domain: how many there are, how to delete a batch
// (rows and files), the bytes that count against the quota, what goes into "download all my
// data", and which stored objects are still needed. "Delete my account", exports, the storage
// bar and the orphan collector walk the list in ./owned-kinds.ts and never read another
// domain's tables; a new pipeline adds its entry.
import type { Db, Tx } from "@/lib/db";
import type { Storage } from "@/lib/storage/types";

/** One entry of the data export: a stored object, or a record written as JSON. */
export type ExportEntry = { name: string; key: string; mtime?: Date } | { name: string; json: unknown; mtime?: Date };

export interface OwnedDeps {
  db: Db;
  storage: Storage;
}

export interface OwnedData {
  /** The word progress and the usage breakdown use ("photos"). */
  name: string;
  /** Omitted: deleted with the user row (Postgres cascades), and nothing stored. */
  deletion?: {
    count(db: Db, ownerId: string): Promise<number>;
    /**
     * Deletes a few (at most `take`) of this owner's, rows and files, and says how many are
     * gone (deleted now, or by someone else meanwhile): 0 when none were left. A fresh look
     * each time, so an interrupted delete carries on where things stand.
     */
    removeSome(deps: OwnedDeps, ownerId: string, take: number): Promise<number>;
  };
  /** Bytes kept in storage that count against the quota; omitted: not counted. */
  usedBytes?(db: Tx, ownerId: string): Promise<number>;
  /** What goes into the data export, oldest first; omitted: nothing. */
  exportEntries?(db: Db, ownerId: string): Promise<ExportEntry[]>;
  /**
   * The storage folders it writes, and which of the given keys (all under those folders) a
   * row still needs: the orphan collector removes the rest once past the grace period.
   */
  objects?: {
    prefixes: readonly string[];
    referenced(db: Db, keys: readonly string[]): Promise<Iterable<string>>;
  };
}

/**
 * `removeSome` for a kind deleted one by one: find a few of the owner's, remove each (its
 * rows, then its files), and say how many went.
 */
export function oneByOne<T>(find: (db: Db, ownerId: string, take: number) => Promise<T[]>, remove: (deps: OwnedDeps, item: T) => Promise<void>) {
  return async (deps: OwnedDeps, ownerId: string, take: number): Promise<number> => {
    const batch = await find(deps.db, ownerId, take);
    for (const item of batch) await remove(deps, item);
    return batch.length;
  };
}

/** A name safe in a ZIP on every system: no separators, control characters or reserved marks. */
export function safeName(raw: string, fallback: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are stripped on purpose
  const cleaned = raw.replace(/[/\\:*?"<>|\x00-\x1f]+/g, " ").replace(/\s+/g, " ").trim().replace(/^\.+/, "").slice(0, 80);
  return cleaned || fallback;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string | undefined): s is string => Boolean(s && UUID.test(s));
/** The i-th folder of a storage key ("vlogs/<id>/g2/video.mp4", 1 → "<id>"). */
export const segment = (key: string, i: number): string | undefined => key.split("/")[i];
