#!/usr/bin/env node
// Starts the app for Playwright on a clean slate: an empty database, data directory and
// Redis prefix. Without this, rows cached by an earlier run (analysis results keyed by
// content hash) would point at files in another run's data directory.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { Redis } from "ioredis";
import pg from "pg";

const { DATABASE_URL, DATA_DIR, QUEUE_PREFIX, REDIS_URL = "redis://127.0.0.1:6379" } = process.env;
const url = new URL(DATABASE_URL);
const database = decodeURIComponent(url.pathname.slice(1));
// Only ever wipe a database that is plainly the e2e one.
if (!/^(framecast|fc)_e2e/.test(database)) throw new Error(`refusing to reset ${database}: not an e2e database`);
url.pathname = "/postgres";
const client = new pg.Client({ connectionString: url.toString() });
await client.connect();
await client.query(`DROP DATABASE IF EXISTS "${database.replace(/"/g, "")}" WITH (FORCE)`);
await client.end();
rmSync(DATA_DIR, { recursive: true, force: true });
const redis = new Redis(REDIS_URL);
let cursor = "0";
do {
  const [next, keys] = await redis.scan(cursor, "MATCH", `${QUEUE_PREFIX}:*`, "COUNT", 1000);
  if (keys.length) await redis.del(...keys);
  cursor = next;
} while (cursor !== "0");
await redis.quit();

const app = spawn(process.execPath, ["scripts/start.mjs"], { stdio: "inherit", env: process.env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => app.kill(signal));
app.on("exit", (code) => process.exit(code ?? 1));
