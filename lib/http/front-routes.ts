// Every route the front (front.ts) answers on Node's own request, before Next sees it: the
// SSE streams of every live kind (which would otherwise keep Next's whole request chain
// alive while they stay open) and the hottest JSON and upload routes (where Next's
// per-request handling costs several times the work itself: docs/performance.md), and the
// public podcast feed, which podcast apps ask for over and over. The one
// definition of each handler: each path's route.ts exports the same one via `frontRoute`,
// for a request that reaches Next (one arriving before the front is installed, `next dev`).
//
// Keys are "METHOD path" in Next's folder syntax; a `[param]` matches one segment of its
// shape: `[id]` a UUID (as every id here is), `[token]` a feed token. So a sibling folder
// with a fixed name (`/api/v1/media/stream`, `/search`) is never taken for an id, and a
// malformed one is left to Next, whose route answers it with the same handler.
import { exportLive } from "@/lib/account/exports";
import { overviewStreamRoute } from "@/lib/admin/stream";
import { jobLive } from "@/lib/ai-jobs/live";
import { createJob, listJobs, readJob } from "@/lib/ai-jobs/routes";
import { liveStreamRoute } from "@/lib/events/live";
import type { LiveKind } from "@/lib/events/kinds";
import { mediaLive } from "@/lib/media/live";
import { listPhotos, readPhoto, uploadPhotos } from "@/lib/media/routes";
import { episodeLive } from "@/lib/podcasts/live";
import { serveFeed } from "@/lib/podcasts/routes";
import { FEED_TOKEN_SHAPE } from "@/lib/podcasts/shows";
import { rateLimitedRoute } from "@/lib/security/api-rate-limit";
import { vlogLive } from "@/lib/vlogs/live";

/** A route handler as Next calls it: the request, and the path's params (a promise). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler narrows its own params
export type FrontHandler = (request: Request, context: { params: Promise<any> }) => Promise<Response>;

const streamKey = (kind: LiveKind) => `GET ${kind.path}/stream`;

export const FRONT_ROUTES = {
  // Streams.
  [streamKey(mediaLive)]: liveStreamRoute(mediaLive),
  [streamKey(vlogLive)]: liveStreamRoute(vlogLive),
  [streamKey(episodeLive)]: liveStreamRoute(episodeLive),
  // Rate-limited like the rest of the jobs API: one request per stream opened.
  [streamKey(jobLive)]: rateLimitedRoute(liveStreamRoute(jobLive)),
  [streamKey(exportLive)]: liveStreamRoute(exportLive),
  "GET /api/admin/overview/stream": overviewStreamRoute,
  // Photos: uploads, the library and polling, one photo's status.
  "POST /api/v1/media": uploadPhotos,
  "GET /api/v1/media": listPhotos,
  "GET /api/v1/media/[id]": readPhoto,
  // AI jobs: create, list and polling, one job.
  "POST /api/v1/jobs": createJob,
  "GET /api/v1/jobs": listJobs,
  "GET /api/v1/jobs/[id]": readJob,
  // Podcasts: the public feed (HEAD goes to Next, with the same handler).
  "GET /feeds/[token]": serveFeed,
} satisfies Record<string, FrontHandler>;

const PARAM_SHAPES: Record<string, string> = {
  id: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
  token: FEED_TOKEN_SHAPE,
};

function segmentOf(name: string): string {
  const shape = PARAM_SHAPES[name];
  if (!shape) throw new Error(`front route param [${name}] has no shape (lib/http/front-routes.ts)`);
  return `(${shape})`;
}

interface Matcher {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: FrontHandler;
}

const exact = new Map<string, FrontHandler>();
const patterns: Matcher[] = [];
for (const [key, handler] of Object.entries(FRONT_ROUTES) as [string, FrontHandler][]) {
  const [method, path] = key.split(" ");
  const names = [...path.matchAll(/\[(\w+)\]/g)].map((m) => m[1]);
  if (names.length === 0) exact.set(key, handler);
  else patterns.push({ method, names, handler, pattern: new RegExp(`^${path.replace(/\[(\w+)\]/g, (_, name: string) => segmentOf(name))}$`) });
}

/** The handler answering `method pathname` at the front, with the path's params; undefined for everything else. */
export function frontRouteFor(method: string, pathname: string): { handler: FrontHandler; params: Record<string, string> } | undefined {
  const handler = exact.get(`${method} ${pathname}`);
  if (handler) return { handler, params: {} };
  for (const m of patterns) {
    if (m.method !== method) continue;
    const found = m.pattern.exec(pathname);
    if (found) return { handler: m.handler, params: Object.fromEntries(m.names.map((name, i) => [name, found[i + 1]])) };
  }
  return undefined;
}

/** The handler a route.ts exports for a request that reaches Next (throws at build time for a key that is not here). */
export function frontRoute(key: string): FrontHandler {
  const handler = (FRONT_ROUTES as Record<string, FrontHandler>)[key];
  if (!handler) throw new Error(`${key} is not a front route (lib/http/front-routes.ts)`);
  return handler;
}
