/** The V8 flags the web process runs with (see node-flags.mjs). */
export declare const WEB_NODE_FLAGS: readonly string[];
/** The V8 flags the worker process runs with (see node-flags.mjs). */
export declare const WORKER_NODE_FLAGS: readonly string[];
/** The worker's glibc malloc settings (see node-flags.mjs). */
export declare const WORKER_MALLOC_ENV: Readonly<Record<"MALLOC_ARENA_MAX" | "MALLOC_MMAP_THRESHOLD_", string>>;
/** WORKER_MALLOC_ENV under what `env` already sets; a setting given as "" is left out (glibc's default). */
export declare function workerMallocEnv(env: Record<string, string | undefined>): Record<string, string>;
