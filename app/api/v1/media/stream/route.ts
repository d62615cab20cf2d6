// GET ?ids=a,b,c: one SSE stream of live progress for many of your photos. Sends a
// snapshot from Postgres, then live `media` events, and `end` when every photo is done or failed.
import { liveStreamRoute } from "@/lib/events/live";
import { mediaLive } from "@/lib/media/live";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = liveStreamRoute(mediaLive);
