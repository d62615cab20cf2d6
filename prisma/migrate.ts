// Offline replacement for `prisma migrate deploy|dev|status`.
//
// The Prisma CLI runs a native schema engine that is downloaded outside npm and cannot be
// fetched here. Prisma's own schema engine also ships to npm compiled to wasm
// (@prisma/schema-engine-wasm); it talks to Postgres through a driver adapter. We drive
// it directly. It writes the same `_prisma_migrations` table as the CLI, so a machine
// with the native engine can still run `prisma migrate deploy` on the same database.
// See shared notes: toolchain.md, "Prisma 7 offline".
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type {
  MigrationList,
  SchemaEngine,
  SchemaFilter,
} from "@prisma/schema-engine-wasm/schema_engine_bg";

const PRISMA_DIR = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_SCHEMA_FILE = path.join(PRISMA_DIR, "schema.prisma");
const DEFAULT_MIGRATIONS_DIR = path.join(PRISMA_DIR, "migrations");
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };
const LOCKFILE = "migration_lock.toml";

export interface MigrateOptions {
  /** postgresql://… URL. A `?schema=` parameter is honoured like Prisma's. */
  connectionString: string;
  /** Postgres schema to migrate into; created if missing. Default: public. */
  schema?: string;
  /** Default: prisma/migrations next to this file. */
  migrationsDir?: string;
  /** Default: prisma/schema.prisma next to this file. */
  schemaFile?: string;
  log?: (line: string) => void;
}

/** `prisma migrate deploy`: apply every migration not yet recorded in `_prisma_migrations`. */
export async function applyMigrations(opts: MigrateOptions): Promise<{ applied: string[] }> {
  return withEngine(opts, { createSchema: true }, async (engine, list, filters) => {
    const out = await engine.applyMigrations({ migrationsList: list, filters });
    for (const name of out.appliedMigrationNames) opts.log?.(`Applied ${name}`);
    return { applied: out.appliedMigrationNames };
  });
}

/**
 * Names of the migrations in the folder that the database has not applied successfully:
 * not yet applied, or recorded as failed (which `applyMigrations` will refuse to pass).
 * Does not create the database or schema.
 */
export async function migrationStatus(opts: MigrateOptions): Promise<string[]> {
  return withEngine(opts, { createSchema: false }, async (engine, list) => {
    const d = await engine.diagnoseMigrationHistory({
      migrationsList: list,
      optInToShadowDatabase: false,
      filters: NO_FILTER,
    });
    const h = d.history;
    const unapplied = h && h.diagnostic !== "migrationsDirectoryIsBehind" ? h.unappliedMigrationNames : [];
    return [...new Set([...d.failedMigrationNames, ...unapplied])];
  });
}

/**
 * `prisma migrate dev --create-only`: replay the migrations folder into a throw-away shadow
 * database, diff it against schema.prisma and write the difference as a new migration.
 * Returns `{ name: undefined }` and writes nothing when the schema has not changed.
 */
export async function createMigration(
  opts: MigrateOptions & { name: string },
): Promise<{ name: string | undefined; file?: string }> {
  // The engine uses the name verbatim as part of a directory name; the CLI slugifies it.
  const slug = opts.name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 200);
  if (!slug) throw new Error(`Invalid migration name "${opts.name}": use letters and digits.`);
  const schemaFile = opts.schemaFile ?? DEFAULT_SCHEMA_FILE;
  const content = await readFile(schemaFile, "utf8");
  return withEngine(opts, { createSchema: true }, async (engine, list, filters) => {
    // The CLI refuses to add a migration on top of a database that has drifted from the
    // history (it offers a reset). We never reset; we stop and say why.
    const { action } = await engine.devDiagnostic({ migrationsList: list, filters });
    if (action.tag === "reset") {
      throw new Error(`The database does not match the migration history: ${action.reason}`);
    }
    const out = await engine.createMigration({
      draft: false,
      migrationName: slug,
      migrationsList: list,
      schema: { files: [{ path: schemaFile, content }] },
      filters,
    });
    if (out.migrationScript === null) {
      opts.log?.("No schema changes: no migration created.");
      return { name: undefined };
    }
    const dir = path.join(list.baseDir, out.generatedMigrationName);
    const file = path.join(dir, `migration.${out.extension}`);
    await mkdir(dir, { recursive: true });
    await writeFile(file, out.migrationScript, "utf8");
    // Same text the CLI writes.
    await writeFile(
      path.join(list.baseDir, LOCKFILE),
      "# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\n" +
        `provider = "${out.connectorType}"\n`,
      "utf8",
    );
    opts.log?.(`Created ${path.relative(process.cwd(), file)}`);
    return { name: out.generatedMigrationName, file };
  });
}

/**
 * Create the database named in the URL if it does not exist (a fresh machine has only
 * `postgres`). Returns true when it created it.
 */
export async function ensureDatabase(connectionString: string): Promise<boolean> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.slice(1));
  try {
    await withClient(connectionString, async () => {});
    return false;
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000" || !name) throw err; // 3D000: no such database
  }
  url.pathname = "/postgres";
  await withClient(url.toString(), async (c) => {
    try {
      await c.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } catch (err) {
      if ((err as { code?: string }).code !== "42P04") throw err; // created meanwhile
    }
  });
  return true;
}

// ---------------------------------------------------------------------------------------

async function withEngine<T>(
  opts: MigrateOptions,
  { createSchema }: { createSchema: boolean },
  fn: (engine: SchemaEngine, list: MigrationList, filters: SchemaFilter) => Promise<T>,
): Promise<T> {
  const { url, schema } = target(opts);
  // Connect once with plain pg first: connection problems then surface as pg errors with
  // their codes (ECONNREFUSED, 3D000, 28P01, …) rather than as engine prose.
  await withClient(url, async (c) => {
    if (schema && createSchema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  });
  const schemaFile = opts.schemaFile ?? DEFAULT_SCHEMA_FILE;
  const [bg, datamodel, list] = await Promise.all([
    loadWasm(),
    readFile(schemaFile, "utf8"),
    readMigrations(opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR),
  ]);
  const factory = new MigrateAdapterFactory(url, schema);
  // The engine logs JSON lines (tracing events); pass them on only when asked.
  const onLog = (line: string) => opts.log?.(`[engine] ${line}`);
  let engine: SchemaEngine | undefined;
  try {
    engine = await bg.SchemaEngine.new(
      { datamodels: [[schemaFile, datamodel]] },
      onLog,
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    return await fn(engine, list, NO_FILTER);
  } catch (err) {
    throw asError(err);
  } finally {
    engine?.free();
    await factory.close();
  }
}

/** Reads the folder exactly as the CLI does (sorted directory names, migration.sql). */
async function readMigrations(baseDir: string): Promise<MigrationList> {
  const lockContent = await readFile(path.join(baseDir, LOCKFILE), "utf8").catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const dirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
  return {
    baseDir,
    lockfile: { path: LOCKFILE, content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories: await Promise.all(
      dirs.map(async (name) => ({
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: await readFile(path.join(baseDir, name, "migration.sql"), "utf8").then(
            (value) => ({ tag: "ok" as const, value }),
            (e: Error) => ({ tag: "error" as const, value: e.message }),
          ),
        },
      })),
    ),
  };
}

/** Resolves the URL and schema; the schema becomes the connection's search_path. */
function target(opts: MigrateOptions): { url: string; schema: string | undefined } {
  const url = new URL(opts.connectionString);
  const schema = opts.schema ?? (url.searchParams.get("schema") || undefined);
  url.searchParams.delete("schema");
  if (schema) {
    // Restricting the name keeps quoting trivial in both SQL and the startup `options`.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
      throw new Error(`Invalid schema name "${schema}": use letters, digits and _ only.`);
    }
    // Migration scripts use unqualified names, so the search_path decides where they land.
    const prev = url.searchParams.get("options");
    url.searchParams.set("options", `${prev ? prev + " " : ""}-c search_path="${schema}"`);
  }
  return { url: url.toString(), schema };
}

// --- Driver adapter ----------------------------------------------------------------------

// The schema describer reads columns of Postgres's internal one-byte `"char"` type (OID 18,
// e.g. pg_class.relkind); @prisma/adapter-pg 7.10 has no mapping for it and fails with
// "Column type 'char' could not be deserialized". pg leaves such values as strings, so
// relabelling the column as text (OID 25) is all that is needed.
function charAsText<R>(res: R): R {
  const results = Array.isArray(res) ? res : [res];
  for (const r of results as Array<{ fields?: Array<{ dataTypeID: number }> }>) {
    for (const f of r?.fields ?? []) if (f.dataTypeID === 18) f.dataTypeID = 25;
  }
  return res;
}

class CharAsTextClient extends pg.Client {
  // pg's overloads are awkward to restate; we only post-process the result.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const cb = args.findIndex((a) => typeof a === "function");
    if (cb >= 0) {
      const orig = args[cb] as (err: unknown, res: unknown) => void;
      args[cb] = (err: unknown, res: unknown) => orig(err, err ? res : charAsText(res));
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const ret = (super.query as any)(...args);
    return cb < 0 && ret && typeof ret.then === "function" ? ret.then(charAsText) : ret;
  }
}

type PgAdapter = Awaited<ReturnType<PrismaPg["connect"]>>;

// PrismaPg.executeScript splits a migration on every ";" (breaking any literal or function
// body that contains one) and runs the pieces one by one, so a failure leaves it half
// applied. The native engine sends the script as one simple-protocol query, which Postgres
// runs as a single implicit transaction. A query with no parameters is sent that way by pg.
function wholeScripts(adapter: PgAdapter): PgAdapter {
  adapter.executeScript = async (sql) => {
    await adapter.executeRaw({ sql, args: [], argTypes: [] });
  };
  return adapter;
}

/**
 * What bindMigrationAwareSqlAdapterFactory wants: connect() plus connectToShadowDb().
 * We implement the shadow database ourselves because PrismaPg 7.10's version (a) sets
 * `database` next to a `connectionString`, which wins, so the "shadow" is the main
 * database; and (b) drops the shadow database before closing the pool that still uses it.
 */
class MigrateAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName = "@prisma/adapter-pg";
  private readonly open = new Set<PgAdapter>();
  private readonly shadows = new Map<string, PgAdapter>();

  constructor(
    private readonly url: string,
    private readonly schema: string | undefined,
  ) {}

  async connect(): Promise<PgAdapter> {
    // `schema` only feeds getConnectionInfo(), which tells the engine which schema to describe.
    const opts = this.schema ? { schema: this.schema } : undefined;
    const adapter = wholeScripts(await new PrismaPg(this.poolConfig(this.url), opts).connect());
    this.open.add(adapter);
    return adapter;
  }

  async connectToShadowDb(): Promise<PgAdapter> {
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    await withClient(this.url, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
    const url = new URL(this.url);
    url.pathname = `/${name}`;
    // The shadow must use the same schema as the target: the engine diffs it against the
    // datamodel placed in the target's schema, and a mismatch shows up as a spurious
    // `CREATE SCHEMA` in the generated migration.
    if (this.schema) {
      await withClient(url.toString(), (c) => c.query(`CREATE SCHEMA ${quoteIdent(this.schema!)}`));
    }
    const opts = this.schema ? { schema: this.schema } : undefined;
    const adapter = wholeScripts(await new PrismaPg(this.poolConfig(url.toString()), opts).connect());
    this.shadows.set(name, adapter);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      if (this.shadows.delete(name)) await this.dropDatabase(name);
    };
    return adapter;
  }

  /** Ends every pool the engine left open and drops any shadow database it did not. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.open].map((a) => a.dispose()));
    for (const [name, adapter] of this.shadows) {
      await adapter.dispose().catch(() => {});
      await this.dropDatabase(name).catch(() => {});
    }
  }

  private poolConfig(connectionString: string): pg.PoolConfig {
    return { connectionString, Client: CharAsTextClient, max: 4 };
  }

  private async dropDatabase(name: string): Promise<void> {
    this.shadows.delete(name);
    await withClient(this.url, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
  }
}

// --- helpers -----------------------------------------------------------------------------

async function withClient<T>(connectionString: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

type WasmBindings = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
let wasmBindings: Promise<WasmBindings> | undefined;

/**
 * The package's entry point imports the .wasm file as an ES module, which Node 20 cannot
 * do without a flag, so we instantiate it by hand, once per process (compiling the 5 MB
 * module is the slowest step).
 */
function loadWasm(): Promise<WasmBindings> {
  wasmBindings ??= (async () => {
    const require = createRequire(import.meta.url);
    const bgPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    // Import by file URL: a bare specifier fails under tsx when this file is loaded as CJS.
    const bg = (await import(pathToFileURL(bgPath).href)) as WasmBindings & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
    };
    const bytes = await readFile(bgPath.replace(/\.js$/, ".wasm"));
    // The engine races some operations against 10 s timers it never clears (e.g. the
    // advisory-lock wait in applyMigrations); left as they are they keep a CLI alive 10 s
    // after it is done. Unref them: live pg sockets keep the process up while it works.
    const imports: WebAssembly.ModuleImports = { ...(bg as unknown as WebAssembly.ModuleImports) };
    for (const key of Object.keys(imports).filter((k) => k.startsWith("__wbg_setTimeout_"))) {
      const orig = imports[key] as (...a: unknown[]) => NodeJS.Timeout;
      imports[key] = (...a: unknown[]) => orig(...a).unref();
    }
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": imports });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return wasmBindings;
}

/**
 * Engine errors carry a Rust span trace ("   0: sql_schema_connector::…") after the
 * message, and a generic "external connector error" line before a database error. Keep
 * what a person can act on; the raw error stays as `cause`.
 */
function asError(err: unknown): Error {
  const raw =
    err instanceof Error
      ? err.message
      : typeof err === "string"
        ? err
        : ((err as { message?: string } | null)?.message ?? JSON.stringify(err));
  const lines: string[] = [];
  for (const line of raw.split("\n")) {
    if (/^\s+\d+: /.test(line)) break;
    if (line.trim() && line.trim() !== "external connector error") lines.push(line.trim());
  }
  let message = lines.join(" ") || raw;
  const failed = raw.match(/with migration_name="([^"]+)"/)?.[1];
  if (failed && !message.includes(failed)) message = `Migration ${failed} failed: ${message}`;
  if (err instanceof Error && message === err.message) return err;
  return new Error(message, { cause: err });
}
