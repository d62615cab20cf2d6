// Removing stored objects after their rows are gone. The row goes first (in a transaction),
// the bytes after: an object that cannot be deleted now (storage down) is only an orphan,
// which the collector (lib/account/orphans.ts) removes later; never a row without its bytes.
import { log } from "@/lib/log";
import type { Storage } from "./types";

/** Deletes each key; a failure is logged and counted, never thrown. Returns how many went. */
export async function removeObjects(storage: Storage, keys: Iterable<string>): Promise<number> {
  let removed = 0;
  for (const key of new Set(keys)) {
    try {
      await storage.delete(key);
      removed += 1;
    } catch (err) {
      log().warn({ key, err: (err as Error).message }, "could not delete a stored object; the orphan collector will");
    }
  }
  return removed;
}

/** Deletes every object under a folder (e.g. "vlogs/<id>/"). Returns how many went. */
export async function removePrefix(storage: Storage, prefix: string): Promise<number> {
  const keys: string[] = [];
  try {
    for await (const object of storage.list(prefix)) keys.push(object.key);
  } catch (err) {
    log().warn({ prefix, err: (err as Error).message }, "could not list a folder to delete; the orphan collector will");
  }
  return removeObjects(storage, keys);
}
