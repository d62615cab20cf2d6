// Fault-test support: upload a batch of distinct photos through the real route handler,
// count where the batch is, and read back every progress event the workers published.
import type { Redis } from "ioredis";
import { POST as upload } from "@/app/api/v1/media/route";
import type { Db } from "@/lib/db";
import { eventsKey, type LiveEvent } from "@/lib/events";
import { makeJpeg } from "@/test/test-images";
import type { MediaView } from "@/lib/media/view";
import { call, photoForm } from "./http";

/** Distinct photos (different seeds, so different bytes and sha256). */
export async function makeBatch(count: number, opts: { width?: number; height?: number; seedBase?: number } = {}) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => ({
      name: `photo-${String(i + 1).padStart(2, "0")}.jpg`,
      bytes: await makeJpeg({ width: opts.width ?? 1600, height: opts.height ?? 1200, seed: (opts.seedBase ?? 1000) + i }),
    })),
  );
}

/** Uploads in requests of at most `perRequest` files; returns the new ids in order. */
export async function uploadBatch(cookie: string, files: { name: string; bytes: Buffer }[], perRequest = 10): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < files.length; i += perRequest) {
    const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm(files.slice(i, i + perRequest)) });
    const body = await res.json();
    if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${JSON.stringify(body)}`);
    ids.push(...body.media.map((m: MediaView) => m.id));
  }
  return ids;
}

export type StatusCounts = Record<"queued" | "analysing" | "done" | "failed", number>;

export async function statusCounts(db: Db, ids: string[]): Promise<StatusCounts> {
  const rows = await db.media.groupBy({ by: ["status"], where: { id: { in: ids } }, _count: true });
  const counts: StatusCounts = { queued: 0, analysing: 0, done: 0, failed: 0 };
  for (const row of rows) counts[row.status] = row._count;
  return counts;
}

/** Every media event in the stream, grouped by photo, in the order they were published. */
export async function eventHistory(redis: Redis, prefix: string): Promise<Map<string, MediaView[]>> {
  const entries = await redis.xrange(eventsKey(prefix), "-", "+");
  const byMedia = new Map<string, MediaView[]>();
  for (const [, fields] of entries) {
    const event = JSON.parse(fields[fields.indexOf("e") + 1]) as LiveEvent;
    if (event.kind !== "media") continue;
    const list = byMedia.get(event.id) ?? [];
    list.push(event.view as MediaView);
    byMedia.set(event.id, list);
  }
  return byMedia;
}

/**
 * What "completed exactly once, progress not double counted" means to someone watching:
 * in each photo's event history (ordered by version, which every state change bumps),
 * exactly one "done", and it is the last word; progress never goes backwards; nothing is
 * ever reported "failed". Returns one line per photo that breaks this (empty when fine).
 */
export function exactlyOnceViolations(history: Map<string, MediaView[]>, ids: string[]): string[] {
  const problems: string[] = [];
  for (const id of ids) {
    // Duplicate deliveries of one version (a resent XADD) are one state change.
    const byVersion = new Map<number, MediaView>();
    for (const e of history.get(id) ?? []) byVersion.set(e.version, e);
    const events = [...byVersion.values()].sort((a, b) => a.version - b.version);
    const done = events.filter((e) => e.status === "done");
    if (done.length !== 1) problems.push(`${id}: ${done.length} "done" events`);
    if (events.at(-1)?.status !== "done") problems.push(`${id}: last event is ${events.at(-1)?.status ?? "missing"}`);
    if (events.some((e) => e.status === "failed")) problems.push(`${id}: reported failed`);
    const progress = events.map((e) => e.progress);
    if (progress.some((p, i) => i > 0 && p < progress[i - 1])) problems.push(`${id}: progress went back: ${progress.join(",")}`);
  }
  return problems;
}
