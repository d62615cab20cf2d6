// The V8 flags the web process runs with, wherever it is started: `npm start`
// (scripts/start.mjs), `npm run web`, the Dockerfile's CMD (the last two spell them out;
// lib/deploy-files.test.ts holds them equal to this) and the bench, which measures what ships.
//
// --max-semi-space-size=4 (MB; V8's default grows to 16 on 64-bit): every request leaves
// short-lived garbage, and a young generation grown to its full size is RSS the process
// keeps. Capped at 4 MB, 2,000 open streams cost 18 KB each instead of 37 (bare Node: 25),
// and uploads ran at 86 % of the bare server's rate instead of 61 %, since scavenging a
// smaller space that is mostly 1 MB upload buffers is cheaper; 1 MB cost the status reads
// twice the CPU per request (docs/performance.md, "The front").
export const WEB_NODE_FLAGS = ["--max-semi-space-size=4"];
