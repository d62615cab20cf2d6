// GET ?ids=: SSE of your exports' progress until each is ready or failed.
import { exportLive } from "@/lib/account/exports";
import { liveStreamRoute } from "@/lib/events/live";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = liveStreamRoute(exportLive);
