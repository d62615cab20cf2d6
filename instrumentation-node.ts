// Refuse to serve on an out-of-date schema, with a message that says how to fix it,
// rather than failing request by request. Then put the front before Next (SSE streams and
// the hottest routes served on Node's own request, lib/http/front.ts), set up graceful
// shutdown (SIGTERM ends live streams and bounds the wait), sweep temp files of uploads a
// crash cut short, and collect expired resumable uploads now and then.
// First of all: let file answers keep their Content-Length (lib/http/content-length.ts).
import { env } from "@/lib/env";
import { installContentLengthBridge } from "@/lib/http/content-length";
import { installFront } from "@/lib/http/front";
import { scheduleResumableSweep } from "@/lib/http/resumable";
import { installWebShutdown, sweepUploadLeftovers } from "@/lib/http/shutdown";
import { schemaProblem } from "@/lib/schema-check";

installContentLengthBridge();

const problem = await schemaProblem(env().DATABASE_URL, env().DATABASE_SCHEMA);
if (problem) {
  console.error(`[web] ${problem}`);
  process.exit(1);
}
// Before the shutdown's server tracking, which then wraps it and so sees stream requests too.
installFront();
installWebShutdown();
await sweepUploadLeftovers().catch((err) => console.error(`[web] temp sweep failed: ${(err as Error).message}`));
scheduleResumableSweep();
