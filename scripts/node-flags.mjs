// The V8 flags each process runs with, wherever it is started: `npm start`
// (scripts/start.mjs), `npm run web` / `npm run worker`, the Dockerfile's CMD and
// compose.yaml's worker command (those spell them out; lib/deploy-files.test.ts holds them
// equal to these), and the test and bench stacks, which measure what ships.
//
// --max-semi-space-size=4 (MB; V8's default grows to 16 on 64-bit, so the young
// generation can reach 3 × 16 MB): memory a process keeps once it has grown, however
// little of it is live.
//
// Web: every request leaves short-lived garbage. Capped at 4 MB, 2,000 open streams cost
// 18 KB each instead of 37 (bare Node: 25), and uploads ran at 86 % of the bare server's
// rate instead of 61 %, since scavenging a smaller space that is mostly 1 MB upload buffers
// is cheaper; 1 MB cost the status reads twice the CPU per request (docs/performance.md,
// "The front").
export const WEB_NODE_FLAGS = ["--max-semi-space-size=4"];

// Worker: its time goes to libvips, ffmpeg and the vision model's WebAssembly, not to
// JavaScript garbage. Capped at 4 MB, the 500-photo soak's plateau fell by ~120 MB at the
// same photos per second (docs/performance.md, "Worker memory").
export const WORKER_NODE_FLAGS = ["--max-semi-space-size=4"];
