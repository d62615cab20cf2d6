// Fault-test support: the real web process (`next start`), built first when the build is
// missing or older than the source (scripts/build-if-stale.mjs, the rule `npm start` and
// the bench use too, so CI's later e2e run reuses this build).
import path from "node:path";
import { ensureNextBuild as buildIfStale } from "@/scripts/build-if-stale.mjs";
import { startChild, type Child } from "./processes";

const ROOT = path.resolve(__dirname, "..");
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");

/** Runs `next build` unless .next is newer than every source file (its output goes in the error). */
export function ensureNextBuild(): { built: boolean; ms: number } {
  return buildIfStale({ root: ROOT, stdio: "pipe" });
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
