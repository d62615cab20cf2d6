// GET ?ids=a,b: one SSE stream of live progress for your episodes (bytes are the page's;
// then every step by name, percent, review, publishing, done or a readable error). A
// snapshot from Postgres first, then live `episode` events; ends once every episode is
// waiting for a person (review), published, or failed.
// Defined once in lib/http/stream-routes.ts, which the live front (lib/http/live-front.ts)
// answers this path with before Next sees it; this route serves a request that reaches Next.
import { streamRoute } from "@/lib/http/stream-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = streamRoute("/api/v1/episodes/stream");
