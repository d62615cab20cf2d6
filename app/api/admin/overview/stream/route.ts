// GET (admins only): SSE stream of the queue overview, pushed whenever it changes. All
// admin streams of this process share one feed (lib/admin/feed.ts).
// Defined once in lib/http/stream-routes.ts, which the live front (lib/http/live-front.ts)
// answers this path with before Next sees it; this route serves a request that reaches Next.
import { streamRoute } from "@/lib/http/stream-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = streamRoute("/api/admin/overview/stream");
