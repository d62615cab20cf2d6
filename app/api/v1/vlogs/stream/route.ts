// GET ?ids=a,b: one SSE stream of live progress for your vlogs (phase, step, percent, each
// step's outcome): a snapshot, then live `vlog` events; `end` when every vlog is completed
// or failed (a page re-opens it after Resume or Render).
import { liveStreamRoute } from "@/lib/events/live";
import { vlogLive } from "@/lib/vlogs/live";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = liveStreamRoute(vlogLive);
