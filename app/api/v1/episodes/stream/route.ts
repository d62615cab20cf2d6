// GET ?ids=a,b: one SSE stream of live progress for your episodes (bytes are the page's;
// then every step by name, percent, review, publishing, done or a readable error). A
// snapshot from Postgres first, then live `episode` events; ends once every episode is
// waiting for a person (review), published, or failed.
import { liveStreamRoute } from "@/lib/events/live";
import { episodeLive } from "@/lib/podcasts/live";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = liveStreamRoute(episodeLive);
