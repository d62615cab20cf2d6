// The command line of the offline migration runner (README.md beside it):
//
//   npm run db:migrate                        apply pending migrations        (deploy)
//   npm run db:migrate:dev -- --name <name>   create a migration from schema.prisma, apply it (dev)
//   npm run db:status                         list migrations not applied     (status)
//
// Reads DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/framecast) and optional
// DATABASE_SCHEMA. deploy and dev create the database if it does not exist.
import {
  applyMigrations,
  createMigration,
  ensureDatabase,
  migrationStatus,
  type MigrateOptions,
} from "./index";

const USAGE = "Usage: tsx prisma/offline-migrate/cli.ts deploy | dev --name <name> | status";

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const connectionString = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/framecast";
  const opts: MigrateOptions = {
    connectionString,
    schema: process.env.DATABASE_SCHEMA || undefined,
    log: process.env.DEBUG_MIGRATE ? (line) => console.error(line) : undefined,
  };
  const where = describe(connectionString, opts.schema);

  switch (command) {
    case "deploy": {
      if (await ensureDatabase(connectionString)) console.log(`Created database ${where.db}`);
      const { applied } = await applyMigrations(opts);
      if (applied.length === 0) console.log(`Database is up to date (${where.full}).`);
      else console.log(`Applied ${plural(applied.length, "migration")} to ${where.full}:\n${list(applied)}`);
      return;
    }
    case "dev": {
      const name = option(rest, "--name");
      if (!name) throw new UsageError(`Missing --name. ${USAGE}`);
      if (await ensureDatabase(connectionString)) console.log(`Created database ${where.db}`);
      const created = await createMigration({ ...opts, name });
      if (created.name) console.log(`Created migration ${created.name}`);
      else console.log("schema.prisma has no changes since the last migration: nothing created.");
      const { applied } = await applyMigrations(opts);
      if (applied.length === 0) console.log(`Database is up to date (${where.full}).`);
      else console.log(`Applied ${plural(applied.length, "migration")} to ${where.full}:\n${list(applied)}`);
      return;
    }
    case "status": {
      let pending: string[];
      try {
        pending = await migrationStatus(opts);
      } catch (err) {
        if (pgCode(err) !== "3D000") throw err;
        console.log(`Database ${where.db} does not exist yet. Run: npm run db:migrate`);
        return;
      }
      if (pending.length === 0) console.log(`Database is up to date (${where.full}).`);
      else
        console.log(
          `${plural(pending.length, "migration")} not applied to ${where.full}:\n${list(pending)}\nRun: npm run db:migrate`,
        );
      return;
    }
    default:
      throw new UsageError(command ? `Unknown command "${command}". ${USAGE}` : USAGE);
  }
}

class UsageError extends Error {}

function option(args: string[], flag: string): string | undefined {
  const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i < 0) return undefined;
  return args[i].includes("=") ? args[i].slice(flag.length + 1) : args[i + 1];
}

function describe(connectionString: string, schema: string | undefined) {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new UsageError("DATABASE_URL is not a valid URL (expected postgresql://user@host:port/database).");
  }
  const host = `${url.hostname || "localhost"}:${url.port || "5432"}`;
  const db = decodeURIComponent(url.pathname.slice(1)) || "(default database)";
  const s = schema ?? url.searchParams.get("schema") ?? undefined;
  return { host, db, user: decodeURIComponent(url.username), full: s ? `${db}, schema ${s}` : db };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const list = (names: string[]) => names.map((n) => `  - ${n}`).join("\n");

function pgCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === "string" ? code : undefined;
}

/** One line a person can act on; never a stack trace. */
function explain(err: unknown): string {
  if (err instanceof UsageError) return err.message;
  let where = { host: "127.0.0.1:5432", db: "framecast", user: "postgres" };
  try {
    where = describe(process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/framecast", undefined);
  } catch {}
  const message = err instanceof Error ? err.message : String(err);
  switch (pgCode(err)) {
    case "ECONNREFUSED":
    case "ECONNRESET":
      return `Cannot reach PostgreSQL at ${where.host} — is it running?`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Cannot resolve the PostgreSQL host in DATABASE_URL (${where.host}).`;
    case "ETIMEDOUT":
      return `Timed out connecting to PostgreSQL at ${where.host}.`;
    case "28P01":
    case "28000":
      return `PostgreSQL at ${where.host} refused user "${where.user}": ${message}`;
    case "42501":
      return `User "${where.user}" lacks a permission this needs: ${message}`;
    case "3D000":
      return `Database ${where.db} does not exist and could not be created: ${message}`;
  }
  return message.split("\n")[0];
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err) => {
    console.error(`Error: ${explain(err)}`);
    process.exit(1);
  },
);
