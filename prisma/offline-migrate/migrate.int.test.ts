// Integration: the wasm schema engine against the local Postgres. Each run migrates into
// its own random schemas of the `test` database and drops them afterwards.
import { createHash, randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations, createMigration, migrationStatus } from "./index";

const connectionString = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const MIGRATIONS = path.join(__dirname, "..", "migrations");
const schemas: string[] = [];
const tmpDirs: string[] = [];

function freshSchema(): string {
  const name = `t_${randomBytes(3).toString("hex")}`;
  schemas.push(name);
  return name;
}

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

async function tmpDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "framecast-migrate-"));
  tmpDirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const s of schemas) await sql(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  for (const d of tmpDirs) await rm(d, { recursive: true, force: true });
});

describe("applyMigrations", () => {
  const schema = freshSchema();

  it("reports every migration as pending on a fresh schema", async () => {
    const dirs = (await readdir(MIGRATIONS, { withFileTypes: true })).filter((d) => d.isDirectory());
    expect(dirs.length).toBeGreaterThan(0);
    expect(await migrationStatus({ connectionString, schema })).toEqual(dirs.map((d) => d.name).sort());
  });

  it("creates the tables and records the migrations like the Prisma CLI", async () => {
    const started = Date.now();
    const { applied } = await applyMigrations({ connectionString, schema });
    const ms = Date.now() - started;
    console.log(`initial migration into ${schema}: ${ms} ms`);
    expect(ms).toBeLessThan(5_000); // ~0.3 s here; generous for a loaded CI box
    expect(applied.length).toBeGreaterThan(0);

    const tables = await sql<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
      [schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["User", "Session", "Media", "Analysis", "_prisma_migrations"]),
    );

    const rows = await sql<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "${schema}"._prisma_migrations
       WHERE rolled_back_at IS NULL ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(applied);
    for (const r of rows) {
      expect(r.finished_at).not.toBeNull();
      // The CLI stores the sha256 of migration.sql; a mismatch would make it call the
      // migration "modified after it was applied".
      const file = await readFile(path.join(MIGRATIONS, r.migration_name, "migration.sql"));
      expect(r.checksum).toBe(createHash("sha256").update(file).digest("hex"));
    }
  });

  it("applies nothing the second time and reports nothing pending", async () => {
    const started = Date.now();
    expect(await applyMigrations({ connectionString, schema })).toEqual({ applied: [] });
    console.log(`no-op apply: ${Date.now() - started} ms`);
    expect(await migrationStatus({ connectionString, schema })).toEqual([]);
  });

  it("keeps btree_gin in public, so dropping another migrated schema leaves this one's search index", async () => {
    // The extension exists once per database; had it been created in a test's schema,
    // DROP SCHEMA … CASCADE would take it, and every schema's index using it, along.
    const other = freshSchema();
    await applyMigrations({ connectionString, schema: other });
    await sql(`DROP SCHEMA "${other}" CASCADE`);
    const ext = await sql<{ schema: string }>(`SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'btree_gin'`);
    expect(ext).toEqual([{ schema: "public" }]);
    const index = await sql<{ name: string }>(
      `SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1 AND indexname = 'Media_ownerId_search_idx'`,
      [schema],
    );
    expect(index).toHaveLength(1);
  });

  it("finds schema.prisma in sync with the committed migrations", async () => {
    // Guards against editing schema.prisma without `npm run db:migrate:dev -- --name …`.
    const dir = await tmpDir();
    await cp(MIGRATIONS, dir, { recursive: true });
    const before = await readdir(dir);
    expect(await createMigration({ connectionString, schema, migrationsDir: dir, name: "check" })).toEqual({
      name: undefined,
    });
    expect(await readdir(dir)).toEqual(before);
  });
});

describe("a failing migration", () => {
  it("is rolled back whole, named in the error and still reported as not applied", async () => {
    const schema = freshSchema();
    const dir = await tmpDir();
    const write = async (name: string, body: string) => {
      await mkdir(path.join(dir, name));
      await writeFile(path.join(dir, name, "migration.sql"), body);
    };
    // The ";" inside the literal must not split the statement.
    await write("001_ok", `CREATE TABLE "A" (note TEXT DEFAULT 'x;y');\n`);
    await write("002_bad", `CREATE TABLE "B" (id INT);\nSELECT * FROM "Nope";\n`);

    await expect(applyMigrations({ connectionString, schema, migrationsDir: dir })).rejects.toThrow(/002_bad/);
    const tables = await sql<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
      [schema],
    );
    expect(tables.map((t) => t.table_name).sort()).toEqual(["A", "_prisma_migrations"]);
    expect(await migrationStatus({ connectionString, schema, migrationsDir: dir })).toEqual(["002_bad"]);
  });
});
