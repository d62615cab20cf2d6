#!/usr/bin/env node
// `npm start`: everything a fresh clone needs, then the web app and the worker together.
// Installs dependencies if missing, generates the Prisma client, checks PostgreSQL and
// Redis, applies pending migrations, builds the app if the source changed, then runs
// `next start` and the worker, stopping both when either stops or on Ctrl-C.
// Each stage is one line; a tool's own output is shown only when it fails.
// Plain Node with no dependencies, because it runs before `npm ci`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureNextBuild, ensurePrismaClient, nextBuildIsStale, prismaClientIsStale } from "./build-if-stale.mjs";
import { WEB_NODE_FLAGS, WORKER_NODE_FLAGS, workerMallocEnv } from "./node-flags.mjs";

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

const tty = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const tag = (colour) => (tty ? `\x1b[${colour}m[framecast]\x1b[0m` : "[framecast]");
const say = (line) => console.log(`${tag(36)} ${line}`);
/** Starts a stage's line; `done(result)` ends it, so each stage is one line. */
const begin = (line) => {
  const started = Date.now();
  process.stdout.write(`${tag(36)} ${line}… `);
  return (result = "done") => {
    const s = Math.round((Date.now() - started) / 1000);
    process.stdout.write(`${result}${s >= 2 ? ` (${s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`})` : ""}\n`);
  };
};
const fail = (line, output = "") => {
  process.stdout.write("failed\n");
  if (output.trim()) console.error(output.trimEnd().split("\n").slice(-60).join("\n"));
  console.error(`${tag(31)} ${line}`);
  process.exit(1);
};

/** Runs a tool with its output kept; returns the output, or fails the stage showing it. */
function quiet(what, cmd, args, hint = "") {
  const result = spawnSync(cmd, args, { env: process.env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.status !== 0) fail(`${what} failed (${result.error?.message ?? `exit ${result.status}`}).${hint ? ` ${hint}` : ""}`, output);
  return output;
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

// 0. Node.js: 22 and 24 are supported (package.json engines); older ones get one line.
const nodeMajor = Number(process.versions.node.split(".")[0]);
if (nodeMajor < 22) {
  say(`Node.js ${process.versions.node} is older than the supported 22 and 24 LTS (Node 20 reached end of life in April 2026); continuing, but please upgrade.`);
}

// 1. Dependencies: exactly the locked versions. No `npm install` fallback: it would
// rewrite package-lock.json and leave a fresh clone modified.
if (dependenciesStale()) {
  const done = begin("Installing dependencies (npm ci, a few minutes the first time)");
  const output = quiet("npm ci", "npm", ["ci", "--no-audit", "--no-fund"], "Its output is above; package-lock.json is left as committed.");
  const added = /added (\d+) packages?/.exec(output);
  done(added ? `${added[1]} packages installed` : "done");
} else {
  say("Dependencies are installed.");
}

// 2. Prisma client.
if (prismaClientIsStale(root)) {
  const done = begin("Generating the Prisma client");
  try {
    ensurePrismaClient({ root, stdio: "pipe" });
  } catch (err) {
    fail(err.message);
  }
  done();
}

// 3. Services.
const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/framecast";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
{
  const done = begin(`Checking PostgreSQL (${new URL(databaseUrl).host}) and Redis (${new URL(redisUrl).host})`);
  if (!(await reachable(databaseUrl, 5432))) {
    fail(`PostgreSQL is not reachable at ${new URL(databaseUrl).host}. Start it (Debian: pg_ctlcluster 15 main start) or set DATABASE_URL.`);
  }
  if (!(await reachable(redisUrl, 6379))) {
    fail(`Redis is not reachable at ${new URL(redisUrl).host}. Start it (redis-server --daemonize yes) or set REDIS_URL.`);
  }
  done("both answer");
}

// 4. Database schema: the migration runner's first line says what it did.
{
  const done = begin("Migrating the database");
  const output = quiet("The migration", process.execPath, ["--import", "tsx", "prisma/offline-migrate/cli.ts", "deploy"]);
  const lines = output.split("\n").filter((l) => l.trim() && !l.startsWith("  - "));
  const said = lines.map((l, i) => (i > 0 ? l[0].toLowerCase() + l.slice(1) : l).replace(/[:.]$/, ""));
  done(said.length ? `${said.join("; ")}.` : "done");
}

// 5. Build when the source is newer than the last build.
if (nextBuildIsStale(root)) {
  const done = begin("Building the web app (first start, or the source changed; a few minutes)");
  try {
    ensureNextBuild({ root, stdio: "pipe", timeoutMs: 0 });
  } catch (err) {
    fail(err.message);
  }
  done();
} else {
  say("The web app is built and up to date.");
}

// 6. Web and worker, stopped together. Their logs are readable lines at a terminal and
// JSON otherwise (LOG_FORMAT, lib/log.ts): decided here, as the worker's output passes
// through a pipe (to see when it has started) and would otherwise always be JSON.
const port = process.env.PORT ?? "3000";
const url = `http://localhost:${port}`;
const childEnv = {
  ...process.env,
  LOG_FORMAT: process.env.LOG_FORMAT || (process.stdout.isTTY ? "pretty" : "json"),
  ...(tty ? { FORCE_COLOR: "1" } : {}),
};
// Started with node directly (not through npx) so signals reach the processes themselves.
say(`Starting the web app on port ${port}…`);
const web = spawn(process.execPath, [...WEB_NODE_FLAGS, "node_modules/next/dist/bin/next", "start", "-p", port], { stdio: "inherit", env: childEnv });
say("Starting the worker…");
// glibc's malloc settings (scripts/node-flags.mjs): with its defaults, libvips's threads
// fragment the worker's memory far past what it uses (docs/performance.md, worker memory).
const worker = spawn(process.execPath, [...WORKER_NODE_FLAGS, "--import", "tsx", "worker/index.ts"], {
  stdio: ["inherit", "pipe", "inherit"],
  env: { ...childEnv, ...workerMallocEnv(process.env) },
});
const children = [web, worker];

let workerStarted = false;
let seen = "";
worker.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (!workerStarted) {
    seen = (seen + chunk.toString()).slice(-4096);
    workerStarted = seen.includes("worker started");
  }
});

let stopping = false;
const stopAll = (signal) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
};
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => stopAll(signal));

// "Ready" once the web app answers its liveness probe and the worker has said it started.
(async () => {
  const webAnswers = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2_000) })).ok;
    } catch {
      return false;
    }
  };
  while (!stopping && !(workerStarted && (await webAnswers()))) await new Promise((r) => setTimeout(r, 250));
  if (!stopping) say(`Ready at ${url} · Ctrl-C stops both`);
})();

let exitCode = 0;
await Promise.all(
  children.map(
    (child) =>
      new Promise((resolve) =>
        child.once("exit", (code) => {
          if (!stopping) {
            exitCode = code ?? 1;
            say(`The ${child === web ? "web app" : "worker"} stopped (exit ${code}); stopping the other.`);
            stopAll("SIGTERM");
          }
          resolve();
        }),
      ),
  ),
);
process.exit(exitCode);
