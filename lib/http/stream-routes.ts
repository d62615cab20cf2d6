// Every SSE stream the app serves, by path: the one definition of each stream's handler
// (authorisation, rate limit, snapshot, live events). Both ways a stream request can be
// answered use it: the live front (live-front.ts) answers these paths on Node's own
// request before Next sees them, and each path's route.ts exports the same handler for a
// request that reaches Next (one arriving before the front is installed, or `next dev`).
import { exportLive } from "@/lib/account/exports";
import { overviewStreamRoute } from "@/lib/admin/stream";
import { jobLive } from "@/lib/ai-jobs/live";
import { liveStreamRoute } from "@/lib/events/live";
import type { LiveKind } from "@/lib/events/kinds";
import { mediaLive } from "@/lib/media/live";
import { episodeLive } from "@/lib/podcasts/live";
import { rateLimitedRoute } from "@/lib/security/api-rate-limit";
import { vlogLive } from "@/lib/vlogs/live";

export type StreamHandler = (request: Request, context: unknown) => Promise<Response>;

const streamPath = (kind: LiveKind) => `${kind.path}/stream`;

export const STREAM_ROUTES = {
  [streamPath(mediaLive)]: liveStreamRoute(mediaLive),
  [streamPath(vlogLive)]: liveStreamRoute(vlogLive),
  [streamPath(episodeLive)]: liveStreamRoute(episodeLive),
  // Rate-limited like the rest of the jobs API: one request per stream opened.
  [streamPath(jobLive)]: rateLimitedRoute(liveStreamRoute(jobLive)),
  [streamPath(exportLive)]: liveStreamRoute(exportLive),
  "/api/admin/overview/stream": overviewStreamRoute,
} satisfies Record<string, StreamHandler>;

const byPath = new Map<string, StreamHandler>(Object.entries(STREAM_ROUTES));

/** The stream handler answering `pathname`, if it is a stream path. */
export function streamRouteFor(pathname: string): StreamHandler | undefined {
  return byPath.get(pathname);
}

/** The handler a stream's route.ts exports (throws at build time for a path that is not a stream). */
export function streamRoute(pathname: string): StreamHandler {
  const handler = byPath.get(pathname);
  if (!handler) throw new Error(`${pathname} is not a stream path (lib/http/stream-routes.ts)`);
  return handler;
}
