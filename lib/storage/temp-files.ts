// Sweeping upload temp files (DATA_DIR/tmp): what a web process killed mid-upload leaves.
// Here, not in lib/http, so the worker's orphan collector can use it too.
import { readdir, stat, unlink } from "node:fs/promises";
import path from "node:path";

/**
 * Deletes upload temp files older than `olderThanMs`: what a web process killed in the
 * middle of an upload left behind. Only old ones, since another web process sharing the
 * directory may be receiving an upload right now. Returns how many were removed.
 */
export async function sweepTempFiles(tempDir: string, olderThanMs: number, now = Date.now()): Promise<number> {
  const names = await readdir(tempDir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const file = path.join(tempDir, name);
    const info = await stat(file).catch(() => null);
    if (info?.isFile() && now - info.mtimeMs > olderThanMs) {
      await unlink(file).catch(() => {});
      removed += 1;
    }
  }
  return removed;
}
