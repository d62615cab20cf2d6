#!/usr/bin/env node
// `npm start`: everything a fresh clone needs, then the web app and the worker together.
// Installs dependencies if missing, generates the Prisma client, checks PostgreSQL and
// Redis, applies pending migrations, builds the app if the source changed, then runs
// `next start` and the worker, stopping both when either stops or on Ctrl-C.
// Plain Node with no dependencies, because it runs before `npm ci`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureNextBuild, ensurePrismaClient, nextBuildIsStale, prismaClientIsStale } from "./build-if-stale.mjs";

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(`Usage: npm start   (node scripts/start.mjs)

Installs dependencies if missing, generates the Prisma client, checks PostgreSQL and
Redis, applies pending migrations, builds the app when the source changed, then runs
the web app (PORT, default 3000) and the worker until Ctrl-C. Reads .env if present.`);
  process.exit(0);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
if (existsSync(".env")) process.loadEnvFile(".env");
process.env.NEXT_TELEMETRY_DISABLED = "1";

const say = (line) => console.log(`\x1b[36m[framecast]\x1b[0m ${line}`);
const fail = (line) => {
  console.error(`\x1b[31m[framecast]\x1b[0m ${line}`);
  process.exit(1);
};

function run(cmd, args) {
  const result = spawnSync(cmd, args, { stdio: "inherit", env: process.env });
  if (result.status !== 0) fail(`\`${cmd} ${args.join(" ")}\` failed (exit ${result.status}).`);
}

/** Runs a build step of build-if-stale.mjs; its failure ends the start with the reason. */
function step(fn) {
  try {
    return fn();
  } catch (err) {
    fail(`${err.message}.`);
  }
}

function reachable(url, defaultPort) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port || defaultPort) });
    socket.setTimeout(2_000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
}

/**
 * True when node_modules lacks a version package-lock.json locks. Compared by content, not
 * by file times: a git checkout or rebase rewrites package-lock.json without changing what
 * it locks, and a reinstall then would be slow for nothing (and, in a node_modules made of
 * hard links shared with other checkouts, harmful).
 */
function dependenciesStale() {
  const installedFile = "node_modules/.package-lock.json";
  if (!existsSync(installedFile)) return true;
  try {
    const locked = JSON.parse(readFileSync("package-lock.json", "utf8")).packages ?? {};
    const installed = JSON.parse(readFileSync(installedFile, "utf8")).packages ?? {};
    return Object.entries(locked).some(([where, pkg]) => {
      if (where === "") return false; // the project itself
      const version = installed[where]?.version;
      // Optional packages for other platforms are locked but never installed.
      return pkg.optional ? version !== undefined && version !== pkg.version : version !== pkg.version;
    });
  } catch {
    return true;
  }
}

// 1. Dependencies.
if (dependenciesStale()) {
  say("Installing dependencies (npm ci)…");
  // npm 11.19 can reject its own lock file over other platforms' optional packages;
  // `npm install` then installs exactly the locked versions (see docs/decisions.md).
  const ci = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { stdio: "inherit", env: process.env });
  if (ci.status !== 0) run("npm", ["install", "--no-audit", "--no-fund"]);
}

// 2. Prisma client.
if (prismaClientIsStale(root)) {
  say("Generating the Prisma client…");
  step(() => ensurePrismaClient({ root }));
}

// 3. Services.
const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/framecast";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
if (!(await reachable(databaseUrl, 5432))) {
  fail(`PostgreSQL is not reachable at ${new URL(databaseUrl).host}. Start it (Debian: pg_ctlcluster 15 main start) or set DATABASE_URL.`);
}
if (!(await reachable(redisUrl, 6379))) {
  fail(`Redis is not reachable at ${new URL(redisUrl).host}. Start it (redis-server --daemonize yes) or set REDIS_URL.`);
}

// 4. Database schema.
run("npm", ["run", "--silent", "db:migrate"]);

// 5. Build when the source is newer than the last build.
if (nextBuildIsStale(root)) {
  say("Building the web app (first start, or the source changed)…");
  step(() => ensureNextBuild({ root }));
}

// 6. Web and worker, stopped together.
const port = process.env.PORT ?? "3000";
// Started with node directly (not through npx) so signals reach the processes themselves.
const children = [
  spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", port], { stdio: "inherit", env: process.env }),
  spawn(process.execPath, ["--import", "tsx", "worker/index.ts"], { stdio: "inherit", env: process.env }),
];
say(`Web app on http://localhost:${port} · worker running · Ctrl-C stops both`);

let stopping = false;
const stopAll = (signal) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
};
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => stopAll(signal));
let exitCode = 0;
await Promise.all(
  children.map(
    (child) =>
      new Promise((resolve) =>
        child.once("exit", (code) => {
          if (!stopping) {
            exitCode = code ?? 1;
            say(`A process stopped (exit ${code}); stopping the other.`);
            stopAll("SIGTERM");
          }
          resolve();
        }),
      ),
  ),
);
process.exit(exitCode);
