// Start-up guard: is the database schema as new as this code? Compares the migration
// folders shipped with the code with those recorded in `_prisma_migrations`. Cheap (one
// query, no migration engine), so both the web app and the worker run it at boot.
import { readdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export async function pendingMigrations(connectionString: string, schema = "public"): Promise<string[]> {
  const dir = path.join(/*turbopackIgnore: true*/ process.cwd(), "prisma", "migrations");
  const shipped = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "${schema.replace(/"/g, "")}"._prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return shipped.filter((name) => !applied.has(name)).sort();
  } catch (err) {
    if ((err as { code?: string }).code === "42P01") return shipped.sort(); // no migrations table yet
    throw err;
  } finally {
    await client.end();
  }
}

/** A message for the log, or null when the schema is current. */
export async function schemaProblem(connectionString: string, schema?: string): Promise<string | null> {
  let pending: string[];
  try {
    pending = await pendingMigrations(connectionString, schema);
  } catch (err) {
    const { host } = new URL(connectionString);
    return `Cannot check the database schema at ${host}: ${(err as Error).message}. Is PostgreSQL running and DATABASE_URL right?`;
  }
  if (pending.length === 0) return null;
  return `The database schema is out of date (${pending.length} migration(s) pending: ${pending.join(", ")}). Run \`npm run db:migrate\` — \`npm start\` does this for you.`;
}
