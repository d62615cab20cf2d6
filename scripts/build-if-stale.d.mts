// Types of scripts/build-if-stale.mjs (plain JS so that `npm start` runs it without tsx).
import type { StdioOptions } from "node:child_process";

export const BUILD_SOURCES: readonly string[];
export function newestMtime(paths: readonly string[]): number;
export function prismaClientIsStale(root: string): boolean;
export function nextBuildIsStale(root: string): boolean;
export function ensurePrismaClient(opts: { root: string; stdio?: StdioOptions }): boolean;
export function ensureNextBuild(opts: { root: string; stdio?: StdioOptions }): { built: boolean; ms: number };
