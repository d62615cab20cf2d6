// The V8 flags each process runs with, and the worker's glibc malloc settings, wherever
// it is started: `npm start` (scripts/start.mjs), `npm run web` / `npm run worker`, the
// Dockerfile's CMD and compose.yaml's worker (those spell them out; lib/deploy-files.test.ts
// holds them equal to these), and the test and bench stacks, which measure what ships.
//
// --max-semi-space-size=4 (MB): V8's default lets each of the young generation's two
// semi-spaces grow to 64 MB under Node 24 on a machine with 24 GB (a young generation of
// up to 134 MB, measured), memory a process keeps once it has grown, however little of it
// is live.
//
// Web: every request leaves short-lived garbage. Capped at 4 MB, 2,000 open streams cost
// 18 KB each instead of 37 (bare Node: 25), and uploads ran at 86 % of the bare server's
// rate instead of 61 %, since scavenging a smaller space that is mostly 1 MB upload buffers
// is cheaper; 1 MB cost the status reads twice the CPU per request (docs/performance.md,
// "The front").
//
// --no-memory-reducer: V8's memory reducer shrinks an idle process's heap, and once it has
// run, the heap grows back slowly, and stays in that mode until its own pages grow by
// several MB. An upload burst after an idle spell keeps its bytes in Buffers outside the
// heap, so the pages never grow that much and the whole ~75 MB heap was marked 4–6 times
// a second for as long as the burst lasted: 3.5–4.5 ms of GC-thread CPU per upload instead
// of ~1, and uploads at c=20 at 57–63 % of the bare server's rate instead of 82–85 %.
// The price: an idle web process keeps 20–45 MB it would have given back, and 2,000 open
// streams cost ~22 KB each instead of ~17 (docs/performance.md, "Session 12").
export const WEB_NODE_FLAGS = ["--max-semi-space-size=4", "--no-memory-reducer"];

// Worker: its time goes to libvips, ffmpeg and the vision model's WebAssembly, not to
// JavaScript garbage. Capped at 4 MB, the 500-photo soak's plateau fell by ~120 MB at the
// same photos per second (docs/performance.md, "Worker memory").
export const WORKER_NODE_FLAGS = ["--max-semi-space-size=4"];

// The worker's glibc malloc settings, each used unless the environment already sets it
// (npm run worker, compose's worker and operations.md spell them out; "" in a bench
// variant means glibc's own default). libvips decodes on its own threads and the vision
// model's input is a few MB per photo: with glibc's defaults those freed blocks stay in
// the process (docs/performance.md, "Worker memory").
// - MALLOC_ARENA_MAX=2: not 8 arenas per core, each holding its share of freed memory
//   (soak plateau 483 → 352 MB, before the vision model).
// - MALLOC_MMAP_THRESHOLD_=131072: blocks of 128 KB and up always come from mmap and go
//   back to the system when freed; by default glibc raises this threshold to the largest
//   block freed so far, and pixel buffers then stay in the arenas (plateau −17 to −39 MB in
//   three paired soaks of 250–300 photos, at the same photos per second).
export const WORKER_MALLOC_ENV = { MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "131072" };

/** WORKER_MALLOC_ENV under what `env` already sets; a setting given as "" is left out (glibc's default). */
export function workerMallocEnv(env) {
  const settings = Object.entries(WORKER_MALLOC_ENV).map(([name, value]) => [name, env[name] ?? value]);
  return Object.fromEntries(settings.filter(([, value]) => value !== ""));
}
