// The registry of live kinds: every kind of thing whose progress a page follows live.
// Client-safe (the browser's useLive reads the addresses); how to load and read one lives
// in its domain folder (lib/media/live.ts, lib/vlogs/live.ts).
//
// Adding a kind (podcast episodes, AI jobs) is declaring it, not copying a pipeline:
//  1. An entry below: `episode: entry<EpisodeView>({ label: "episodes", path: "/api/v1/episodes", listKey: "episodes", maxIds: 50 })`.
//     Its view must carry a `version` that grows with every change (stale events are dropped by it).
//  2. lib/<domain>/live.ts: `export const episodeLive = defineLive("episode", { load, idOf, isTerminal })`.
//  3. After every change of one (worker or web): `publish(episodeLive, ownerId, toEpisodeView(row))`
//     (lib/events/publish.ts; in the worker it waits out a Redis restart by itself).
//  4. Its stream: `[streamKey(episodeLive)]: liveStreamRoute(episodeLive)` in lib/http/front-routes.ts
//     (the front serves it before Next), and `<path>/stream/route.ts` exporting the same
//     handler for a request that reaches Next: `export const GET = frontRoute("GET <path>/stream")`
//     plus runtime/dynamic.
//  5. The list route (`GET <path>`) answers the polling fallback first:
//     `if (url.searchParams.has("ids")) return livePoll(episodeLive, user.id, url)`.
//  6. In the page: `useLive("episode", ids, (view) => …)` (components/use-live.ts).
//  7. A route-matrix entry for the stream route (e2e/route-matrix.ts).
// Its SSE events are named after the kind, and the open-streams gauge counts it by kind.
import type { ExportView } from "@/lib/account/exports";
import type { JobView } from "@/lib/ai-jobs/view";
import type { Db } from "@/lib/db";
import type { MediaView } from "@/lib/media/view";
import type { EpisodeView } from "@/lib/podcasts/view";
import type { VlogView } from "@/lib/vlogs/view";

/** Where a kind's API lives and how much one stream may follow. */
export interface LiveAddress {
  /** The plural a person reads: "Follow at most 100 photos per request." */
  label: string;
  /** Its collection: `<path>/stream?ids=` is the SSE stream, `<path>?ids=` the polling fallback. */
  path: string;
  /** The property of the polling answer that holds the views: `{ media: [...] }`. */
  listKey: string;
  /** Most ids one stream or poll may name. */
  maxIds: number;
}

/** What every live view has: a version that grows with every change of the entity. */
export interface LiveViewBase {
  version: number;
}

type Entry<V extends LiveViewBase> = LiveAddress & { readonly __view?: V };
const entry = <V extends LiveViewBase>(address: LiveAddress): Entry<V> => address;

export const LIVE_KINDS = {
  media: entry<MediaView>({ label: "photos", path: "/api/v1/media", listKey: "media", maxIds: 100 }),
  vlog: entry<VlogView>({ label: "vlogs", path: "/api/v1/vlogs", listKey: "vlogs", maxIds: 50 }),
  job: entry<JobView>({ label: "jobs", path: "/api/v1/jobs", listKey: "jobs", maxIds: 50 }),
  episode: entry<EpisodeView>({ label: "episodes", path: "/api/v1/episodes", listKey: "episodes", maxIds: 50 }),
  export: entry<ExportView>({ label: "exports", path: "/api/account/exports", listKey: "exports", maxIds: 10 }),
};

export type LiveKindName = keyof typeof LIVE_KINDS;
export type LiveView<K extends LiveKindName> = NonNullable<(typeof LIVE_KINDS)[K]["__view"]>;
export const liveKindNames = Object.keys(LIVE_KINDS) as LiveKindName[];

/** A live kind: its registry entry plus how to load and read its views (server side). */
export interface LiveKind<K extends LiveKindName = LiveKindName> extends LiveAddress {
  kind: K;
  /** The views of those of `ids` that exist and belong to `ownerId` (others are simply absent). */
  load(db: Db, ownerId: string, ids: readonly string[]): Promise<LiveView<K>[]>;
  idOf(view: LiveView<K>): string;
  /** Finished for good (done, failed, completed): a stream ends once all it follows are. */
  isTerminal(view: LiveView<K>): boolean;
}

/** Declares a kind in its domain folder; the address comes from the registry entry. */
export function defineLive<K extends LiveKindName>(kind: K, how: Pick<LiveKind<K>, "load" | "idOf" | "isTerminal">): LiveKind<K> {
  const { label, path, listKey, maxIds } = LIVE_KINDS[kind];
  return { kind, label, path, listKey, maxIds, ...how };
}
