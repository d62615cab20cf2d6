// One Prisma client per process, on the pg driver adapter (Prisma 7 has no Rust engine).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";
import { singleton } from "@/lib/singleton";

export type Db = InstanceType<typeof PrismaClient>;
/** The client or a transaction's: what a repository function that can join a transaction takes. */
export type Tx = Prisma.TransactionClient | Db;

export function createDb(connectionString: string, schema?: string): Db {
  // Prisma qualifies its own queries with the schema; the search_path makes raw SQL
  // (full-text search, lib/media/search.ts) see the same tables.
  const options = schema && /^[A-Za-z_][A-Za-z0-9_]*$/.test(schema) ? `-c search_path=${schema}` : undefined;
  const adapter = new PrismaPg({ connectionString, max: 10, ...(options ? { options } : {}) }, schema ? { schema } : undefined);
  return new PrismaClient({ adapter });
}

/** The process's client: one pool, however many copies of this module Next loads. */
export function db(): Db {
  return singleton("db", () => createDb(env().DATABASE_URL, env().DATABASE_SCHEMA));
}

/**
 * The rows of `rows` that belong to `ownerId`, for a lookup of someone's things by a list
 * of ids. Such lookups ask Postgres by primary key alone (`id IN (…)`) and check the owner
 * here: given `ownerId = $1 AND id IN (…)`, Postgres may read every row of the owner
 * through the (ownerId, createdAt) index and filter the ids, and it did whenever the
 * table's statistics were older than the owner's latest uploads — a poll of 20 photos then
 * cost in proportion to the library (docs/performance.md, "The front"). By primary key it
 * is one probe per id, whatever the library's size. Someone else's id drops out, exactly
 * like a missing one.
 */
export function keepOwned<T extends { ownerId: string }>(rows: T[], ownerId: string): T[] {
  return rows.filter((row) => row.ownerId === ownerId);
}
