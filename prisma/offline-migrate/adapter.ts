// The pg driver adapter as the schema engine needs it: @prisma/adapter-pg 7.10 with four
// fixes (see README.md). Everything here goes when the adapter fixes them itself.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

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
export class MigrateAdapterFactory {
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

export async function withClient<T>(connectionString: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
