// GET ?ids=a,b: one SSE stream of live progress for your vlogs (phase, step, percent, each
// step's outcome): a snapshot, then live `vlog` events; `end` when every vlog is completed
// or failed (a page re-opens it after Resume or Render).
// Defined once in lib/http/stream-routes.ts, which the live front (lib/http/live-front.ts)
// answers this path with before Next sees it; this route serves a request that reaches Next.
import { streamRoute } from "@/lib/http/stream-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = streamRoute("/api/v1/vlogs/stream");
