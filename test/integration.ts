// Integration-test support: every test file gets its own Postgres schema, Redis key
// prefix and data directory, so files can run in parallel against the real services.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { applyMigrations } from "@/prisma/offline-migrate";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export interface IsolatedEnv {
  schema: string;
  prefix: string;
  dataDir: string;
  teardown(): Promise<void>;
}

/** Call from beforeAll, before anything reads `env()`. */
export async function isolate(overrides: Record<string, string> = {}): Promise<IsolatedEnv> {
  const id = randomBytes(4).toString("hex");
  const schema = `t_${id}`;
  const prefix = `fctest-${id}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `framecast-${id}-`));
  await applyMigrations({ connectionString: TEST_DATABASE_URL, schema });
  Object.assign(process.env, {
    NODE_ENV: "test",
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    STORAGE_DRIVER: "local",
    GEMINI_API_KEY: "",
    // Concurrency that follows the machine's load would make other tests depend on it;
    // worker/autoscale.int.test.ts turns it on for itself.
    WORKER_AUTOSCALE: "false",
    // JSON logs of passing tests are noise; LOG_LEVEL=info (or debug) shows them.
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    ...overrides,
  });
  return {
    schema,
    prefix,
    dataDir,
    async teardown() {
      const { Client } = await import("pg");
      const client = new Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
      const { Redis } = await import("ioredis");
      const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
