// Parsing ids from URLs. A malformed id is reported exactly like a missing one. (Lists of
// ids to follow live: liveIds in lib/events/live.ts.)
import { z } from "zod";
import { NotFoundError } from "@/lib/errors";

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
