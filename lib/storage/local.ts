// Local-disk driver: the default, so a fresh checkout works with no cloud account.
// Layout under rootDir:
//   objects/<key>                  the bytes
//   objects/<dir>/.<name>.meta.json  content type (sidecar; keys cannot start with ".")
//   objects/<dir>/.tmp-<uuid>      in-flight writes, renamed into place when complete
//   tmp/                           where the upload route spools request bodies
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { inDirectory } from "./in-directory";
import { assertValidKey, assertValidPrefix, InvalidStorageKeyError } from "./keys";
import { StorageNotFoundError, type ListedObject, type PutOptions, type Storage, type StoredObject } from "./types";

/**
 * `<rootDir>/tmp`, created if missing. Spool uploads here: it is on the same filesystem
 * as the objects, so the later putFile is a cheap rename rather than a copy.
 * Synchronous on purpose: it is a one-off mkdir, and callers can use it inline.
 */
export function tempDir(rootDir: string): string {
  const dir = path.join(path.resolve(rootDir), "tmp");
  mkdirSync(dir, { recursive: true });
  return dir;
}

interface Meta {
  contentType?: string;
  cacheControl?: string;
}

/** "Not there" covers a missing file and a key whose parent is a file, not a directory. */
function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

async function unlinkQuietly(file: string): Promise<void> {
  await fs.unlink(file).catch(() => undefined);
}

/**
 * Writes `data` to a temp file in `dir` and renames it over `target`. rename(2) within a
 * directory is atomic, so readers see the old file or the new one, never a torn write.
 * fsync first so a crash cannot leave a renamed-but-empty file behind.
 */
async function writeAtomic(dir: string, target: string, data: Buffer | string): Promise<void> {
  const tmp = path.join(dir, `.tmp-${randomUUID()}`);
  try {
    const handle = await fs.open(tmp, "wx");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
  } catch (err) {
    await unlinkQuietly(tmp);
    throw err;
  }
}

/** Moves `src` to `target`; across filesystems rename fails with EXDEV, so copy instead. */
async function moveFile(src: string, dir: string, target: string): Promise<void> {
  try {
    await fs.rename(src, target);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
  }
  // Copy to a temp name in the destination directory first, so the object still
  // appears atomically even though the copy itself takes time.
  const tmp = path.join(dir, `.tmp-${randomUUID()}`);
  try {
    await fs.copyFile(src, tmp, fs.constants.COPYFILE_EXCL);
    const handle = await fs.open(tmp, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
  } catch (err) {
    await unlinkQuietly(tmp);
    throw err;
  }
  // Only after the object is safely in place: a failed unlink leaves a stray temp file,
  // never a lost upload.
  await fs.unlink(src);
}

export function createLocalStorage(rootDir: string): Storage {
  const root = path.resolve(rootDir);
  const objectsDir = path.join(root, "objects");

  function locate(key: string) {
    assertValidKey(key);
    const file = path.join(objectsDir, key);
    // assertValidKey should make this impossible; checking the resolved path as well
    // means a future loosening of the key rules cannot open a traversal by accident.
    if (!file.startsWith(objectsDir + path.sep)) {
      throw new InvalidStorageKeyError(key, "resolves outside the storage root");
    }
    const dir = path.dirname(file);
    return { file, dir, meta: path.join(dir, `.${path.basename(file)}.meta.json`) };
  }

  async function readMeta(metaFile: string): Promise<Meta> {
    try {
      const parsed: unknown = JSON.parse(await fs.readFile(metaFile, "utf8"));
      return typeof parsed === "object" && parsed !== null ? (parsed as Meta) : {};
    } catch {
      // A missing or damaged sidecar only costs the content type, not the object.
      return {};
    }
  }

  // The sidecar is written before the bytes so a new object never appears without its
  // content type. (Two concurrent writers of one key with different types could still
  // interleave; our keys are unique or content-addressed, so that does not happen.)
  // Not fsynced: it is advisory — a sidecar lost to a power cut only costs the content type
  // (readMeta), and the object's own bytes are what durability is about. An fsync here cost
  // every upload a disk flush on a libuv thread (2.5 ms median, 16 ms p90, 100 ms worst on
  // the bench machine), stalling the other uploads' file writes behind it
  // (docs/performance.md, scenario 1).
  // A new key's sidecar is written in place (open "wx", write, close): nobody reads it before
  // its object appears, which is after it is whole. Only replacing one goes through a temp
  // file and a rename, so a reader never sees it half-written. Every upload is a new key: one
  // rename fewer each (docs/performance.md, "Session 11").
  async function writeMeta(dir: string, metaFile: string, contentType: string, opts?: PutOptions): Promise<void> {
    const meta = JSON.stringify(opts?.cacheControl ? { contentType, cacheControl: opts.cacheControl } : { contentType });
    try {
      await fs.writeFile(metaFile, meta, { flag: "wx" });
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") {
        // A write that failed after its open (a full disk) leaves no half-written sidecar.
        // ENOENT: the folder is missing, nothing was created (inDirectory makes it and retries).
        if (code !== "ENOENT") await unlinkQuietly(metaFile);
        throw err;
      }
    }
    const tmp = path.join(dir, `.tmp-${randomUUID()}`);
    try {
      await fs.writeFile(tmp, meta, { flag: "wx" });
      await fs.rename(tmp, metaFile);
    } catch (err) {
      await unlinkQuietly(tmp);
      throw err;
    }
  }

  /** Opens the object and checks it is a regular file (a key may name a directory). */
  async function openObject(key: string) {
    const { file, meta } = locate(key);
    let handle: fs.FileHandle;
    try {
      // The path is under DATA_DIR, chosen at run time: nothing for the bundler to trace.
      handle = await fs.open(/*turbopackIgnore: true*/ file, "r");
    } catch (err) {
      if (isMissing(err)) throw new StorageNotFoundError(key);
      throw err;
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw new StorageNotFoundError(key);
      return { handle, size: st.size, meta };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  return {
    driver: "local",

    async putFile(key, filePath, contentType, opts) {
      const { file, dir, meta } = locate(key);
      await inDirectory(dir, () => writeMeta(dir, meta, contentType, opts));
      await moveFile(filePath, dir, file);
    },

    async putBuffer(key, body, contentType, opts) {
      const { file, dir, meta } = locate(key);
      await inDirectory(dir, () => writeMeta(dir, meta, contentType, opts));
      await writeAtomic(dir, file, body);
    },

    async getBuffer(key) {
      const { handle } = await openObject(key);
      try {
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    },

    async getStream(key, range) {
      // Reading through the already-open handle means a concurrent overwrite (a rename)
      // cannot change the bytes under us: we keep reading the file we sized.
      const { handle, size, meta } = await openObject(key);
      const { contentType, cacheControl } = await readMeta(meta);
      return { stream: handle.createReadStream(range ? { start: range.start, end: range.end } : {}), size, contentType, cacheControl };
    },

    async stat(key): Promise<StoredObject | null> {
      const { file, meta } = locate(key);
      let st;
      try {
        st = await fs.stat(/*turbopackIgnore: true*/ file);
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
      if (!st.isFile()) return null;
      const { contentType, cacheControl } = await readMeta(meta);
      // Objects are replaced by rename, never written in place: size and mtime identify the bytes.
      const etag = `"${st.size.toString(16)}-${Math.round(st.mtimeMs * 1000).toString(16)}"`;
      return { size: st.size, contentType, etag, ...(cacheControl ? { cacheControl } : {}) };
    },

    async delete(key) {
      const { file, meta } = locate(key);
      // Deleting what is not there is success, as on S3: callers can retry cleanup freely.
      try {
        await fs.unlink(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (!isMissing(err) && code !== "EISDIR") throw err;
      }
      await unlinkQuietly(meta);
    },

    async *list(prefix): AsyncIterable<ListedObject> {
      assertValidPrefix(prefix);
      // One directory at a time, depth first: memory follows the widest folder, not the store.
      const pending = [prefix.replace(/\/$/, "")];
      while (pending.length > 0) {
        const rel = pending.pop()!;
        const dir = rel ? path.join(objectsDir, rel) : objectsDir;
        let entries;
        try {
          entries = await fs.readdir(/*turbopackIgnore: true*/ dir, { withFileTypes: true });
        } catch (err) {
          if (isMissing(err)) continue;
          throw err;
        }
        for (const entry of entries) {
          // Dot-files are this driver's own: sidecars, in-flight writes, probes.
          if (entry.name.startsWith(".")) continue;
          const key = rel ? `${rel}/${entry.name}` : entry.name;
          if (entry.isDirectory()) pending.push(key);
          else if (entry.isFile()) {
            const st = await fs.stat(path.join(dir, entry.name)).catch(() => null);
            if (st) yield { key, size: st.size, modifiedAt: st.mtime };
          }
        }
      }
    },

    async ping() {
      // access(W_OK) misses a full disk; actually writing a byte does not. Dot-named, so
      // it cannot collide with an object.
      await fs.mkdir(objectsDir, { recursive: true });
      const probe = path.join(objectsDir, `.ping-${randomUUID()}`);
      await fs.writeFile(probe, "ok", { flag: "wx" });
      await fs.unlink(probe);
    },
  };
}
