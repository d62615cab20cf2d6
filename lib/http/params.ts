// Parsing ids and list paging from URLs. A malformed id is reported exactly like a missing
// one. (Lists of ids to follow live: liveIds in lib/events/live.ts.)
import { z } from "zod";
import { NotFoundError } from "@/lib/errors";
import { badRequest } from "./errors";

const uuid = z.string().uuid();

export function mediaIdParam(id: string): string {
  if (!uuid.safeParse(id).success) throw new NotFoundError("That photo");
  return id;
}

/** A vlog id from a URL; malformed ids are reported exactly like missing ones. */
export function vlogIdParam(id: string): string {
  if (!uuid.safeParse(id).success) throw new NotFoundError("That vlog");
  return id;
}

/** An episode or show id from a URL; malformed ids are reported exactly like missing ones. */
export function uuidParam(id: string, what: string): string {
  if (!uuid.safeParse(id).success) throw new NotFoundError(what);
  return id;
}

/** A list's `?limit=`: clamped to 1–200; `fallback` when it is missing or not a number. */
export function limitParam(url: URL, fallback: number): number {
  return Math.min(Math.max(Number(url.searchParams.get("limit") ?? fallback) || fallback, 1), 200);
}

/** A list's `?before=<iso>` cursor: undefined when absent, a 400 when it is not a date. */
export function beforeParam(url: URL): Date | undefined {
  const raw = url.searchParams.get("before");
  const before = raw ? new Date(raw) : undefined;
  if (before && Number.isNaN(before.getTime())) throw badRequest("before must be an ISO date.");
  return before;
}
