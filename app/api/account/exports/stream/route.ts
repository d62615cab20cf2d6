// GET ?ids=: SSE of your exports' progress until each is ready or failed.
// Defined once in lib/http/stream-routes.ts, which the live front (lib/http/live-front.ts)
// answers this path with before Next sees it; this route serves a request that reaches Next.
import { streamRoute } from "@/lib/http/stream-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = streamRoute("/api/account/exports/stream");
