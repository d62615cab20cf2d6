// Fault-test support: the real web process (`next start`), built once if the build is
// missing or older than the source (the same rule as scripts/start.mjs, so CI's later
// e2e run reuses this build).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { startChild, type Child } from "./processes";

const ROOT = path.resolve(__dirname, "..");
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const SOURCES = ["app", "components", "lib", "instrumentation.ts", "instrumentation-node.ts", "next.config.ts", "package-lock.json", "postcss.config.mjs"];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(p)) {
    // Tests are not part of the app; the generated client follows schema.prisma.
    if (entry === "generated" || entry.endsWith(".test.ts")) continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

/** Runs `next build` unless .next is newer than every source file. */
export function ensureNextBuild(): { built: boolean; ms: number } {
  const buildId = path.join(ROOT, ".next/BUILD_ID");
  const newest = Math.max(...SOURCES.map((s) => newestMtime(path.join(ROOT, s))));
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newest) return { built: false, ms: 0 };
  const started = Date.now();
  const result = spawnSync(process.execPath, [NEXT_BIN, "build"], {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    encoding: "utf8",
    timeout: 300_000,
  });
  if (result.status !== 0) throw new Error(`next build failed:\n${result.stdout}\n${result.stderr}`);
  return { built: true, ms: Date.now() - started };
}

/** `next start` on `port` with the given environment; resolves once it answers. */
export async function startNext(port: number, vars: Record<string, string>, name = "next"): Promise<Child> {
  const base: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "TMPDIR", "LANG"]) if (process.env[key]) base[key] = process.env[key]!;
  const child = startChild(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
    env: { ...base, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", STORAGE_DRIVER: "local", GEMINI_API_KEY: "", ...vars },
    name,
  });
  await child.waitForOutput(/Ready in/, 60_000);
  return child;
}
