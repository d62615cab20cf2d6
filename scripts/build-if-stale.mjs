// Build-if-stale, the one rule for `npm start`, the fault tests and the bench: generate the
// Prisma client when it is missing or older than schema.prisma, and run `next build` when
// any source of the web app is newer than the last build. Whichever runs first builds; the
// others reuse it. Plain Node with no dependencies, because `npm start` runs it before tsx
// (or anything else) is installed.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** What the build reads. prisma/schema.prisma stands for the generated client it bundles. */
export const BUILD_SOURCES = [
  "app",
  "components",
  "lib",
  "proxy.ts",
  "instrumentation.ts",
  "instrumentation-node.ts",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
  "prisma/schema.prisma",
  "assets",
];

/**
 * Newest modification time under `paths` (files or folders), 0 when none exist. Skips the
 * generated Prisma client (it follows schema.prisma) and test files (not part of the app).
 */
export function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (!s.isDirectory()) {
      newest = Math.max(newest, s.mtimeMs);
      return;
    }
    for (const entry of readdirSync(p)) {
      if (entry === "generated" || entry.endsWith(".test.ts")) continue;
      visit(path.join(p, entry));
    }
  };
  paths.forEach(visit);
  return newest;
}

export function prismaClientIsStale(root) {
  const client = path.join(root, "lib/generated/prisma/client.ts");
  return !existsSync(client) || newestMtime([path.join(root, "prisma/schema.prisma")]) > statSync(client).mtimeMs;
}

export function nextBuildIsStale(root) {
  const buildId = path.join(root, ".next/BUILD_ID");
  // The icons are generated into public/ (not committed): missing ones mean a build is due.
  if (!existsSync(path.join(root, "public/icons/icon-512.png"))) return true;
  return !existsSync(buildId) || newestMtime(BUILD_SOURCES.map((s) => path.join(root, s))) > statSync(buildId).mtimeMs;
}

/**
 * Runs one build command. `stdio: "pipe"` keeps its output for the error message;
 * anything else is handed to spawnSync (e.g. "inherit"). `timeoutMs` 0: no limit.
 */
function run(root, what, command, args, stdio, timeoutMs = 600_000) {
  const result = spawnSync(command, args, {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    stdio,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs || undefined,
  });
  if (result.status !== 0) {
    const output = stdio === "pipe" ? `\n${result.stdout ?? ""}${result.stderr ?? ""}` : "";
    const why =
      result.error?.code === "ETIMEDOUT"
        ? `did not finish within ${Math.round(timeoutMs / 60_000)} minutes`
        : (result.error?.message ?? `exit ${result.status}`);
    throw new Error(`${what} failed (${why})${output}`);
  }
}

/** `npm run db:generate` when the client is stale; true when it ran. */
export function ensurePrismaClient({ root, stdio = "inherit" }) {
  if (!prismaClientIsStale(root)) return false;
  run(root, "Generating the Prisma client", "npm", ["run", "--silent", "db:generate"], stdio);
  return true;
}

/**
 * `next build` when the build is stale (run with node directly: no npx, no shell). Tests
 * keep the 10-minute limit; `npm start` passes timeoutMs 0, as a first build on a busy
 * machine can take longer and a person can always press Ctrl-C.
 */
export function ensureNextBuild({ root, stdio = "inherit", timeoutMs = 600_000 }) {
  if (!nextBuildIsStale(root)) return { built: false, ms: 0 };
  const started = Date.now();
  run(root, "Making the icons", process.execPath, [path.join(root, "scripts/make-icons.mjs")], stdio);
  run(root, "next build", process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], stdio, timeoutMs);
  return { built: true, ms: Date.now() - started };
}
