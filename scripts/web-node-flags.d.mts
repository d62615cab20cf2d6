/** The V8 flags the web process runs with (see web-node-flags.mjs). */
export declare const WEB_NODE_FLAGS: readonly string[];
