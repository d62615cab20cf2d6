import fs from "node:fs/promises";

/**
 * Runs `write` (the first write into `dir`), making the directory only if it is missing.
 * The directory nearly always exists already (keys share their month's or kind's folder,
 * uploads share the temp folder): trying first spares every write a mkdir, which under
 * load costs as much CPU as the write's own open (a thread-pool round trip each).
 */
export async function inDirectory<T>(dir: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    await fs.mkdir(dir, { recursive: true });
    return write();
  }
}
