// One Prisma client per process, on the pg driver adapter (Prisma 7 has no Rust engine).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";

export type Db = InstanceType<typeof PrismaClient>;

export function createDb(connectionString: string, schema?: string): Db {
  const adapter = new PrismaPg({ connectionString, max: 10 }, schema ? { schema } : undefined);
  return new PrismaClient({ adapter });
}

// Kept on globalThis so Next's dev reloads do not open a new pool per edit.
const holder = globalThis as unknown as { framecastDb?: Db };

export function db(): Db {
  holder.framecastDb ??= createDb(env().DATABASE_URL, env().DATABASE_SCHEMA);
  return holder.framecastDb;
}
