/** The V8 flags the web process runs with (see node-flags.mjs). */
export declare const WEB_NODE_FLAGS: readonly string[];
/** The V8 flags the worker process runs with (see node-flags.mjs). */
export declare const WORKER_NODE_FLAGS: readonly string[];
