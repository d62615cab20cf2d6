// Parsing ids from URLs. A malformed id is reported exactly like a missing one.
import { z } from "zod";
import { NotFoundError } from "@/lib/errors";
import { badRequest } from "./errors";

const uuid = z.string().uuid();

export function mediaIdParam(id: string): string {
  if (!uuid.safeParse(id).success) throw new NotFoundError("That photo");
  return id;
}

/** `?ids=a,b,c` — between 1 and `max` photo ids, duplicates removed. */
export function idsParam(url: URL, max = 100): string[] {
  const raw = url.searchParams.get("ids");
  const ids = [...new Set((raw ?? "").split(",").map((s) => s.trim()).filter(Boolean))];
  if (ids.length === 0) throw badRequest("Pass the photo ids to follow as ?ids=<id>,<id>.");
  if (ids.length > max) throw badRequest(`Follow at most ${max} photos per request.`);
  if (!ids.every((id) => uuid.safeParse(id).success)) throw new NotFoundError("One of those photos");
  return ids;
}

/** A vlog id from a URL; malformed ids are reported exactly like missing ones. */
export function vlogIdParam(id: string): string {
  if (!uuid.safeParse(id).success) throw new NotFoundError("That vlog");
  return id;
}

/** `?ids=a,b,c` of vlogs (for the vlog progress stream). */
export function vlogIdsParam(url: URL, max = 50): string[] {
  const raw = url.searchParams.get("ids");
  const ids = [...new Set((raw ?? "").split(",").map((s) => s.trim()).filter(Boolean))];
  if (ids.length === 0) throw badRequest("Pass the vlog ids to follow as ?ids=<id>,<id>.");
  if (ids.length > max) throw badRequest(`Follow at most ${max} vlogs per request.`);
  if (!ids.every((id) => uuid.safeParse(id).success)) throw new NotFoundError("One of those vlogs");
  return ids;
}
