// GET ?ids=a,b: one SSE stream of live progress for your episodes (bytes are the page's;
// then every step by name, percent, review, publishing, done or a readable error). A
// snapshot from Postgres first, then live `episode` events; ends once every episode is
// waiting for a person (review), published, or failed.
// Defined once in lib/http/front-routes.ts, which the front (lib/http/front.ts)
// answers this path with before Next sees it; this route serves a request that reaches Next.
import { frontRoute } from "@/lib/http/front-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = frontRoute("GET /api/v1/episodes/stream");
