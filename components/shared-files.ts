// The page side of the share target (public/sw.js receives the POST): photos shared to the
// installed app wait in IndexedDB under an id in the address (/?shared=<id>); the uploader
// takes them out, once, and uploads them like picked files. A share older than a day that
// was never taken (the person never signed in) is dropped on the next visit.
const DB = "framecast-share";
const DAY_MS = 24 * 60 * 60 * 1000;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore("shares");
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** The files shared under `id`, removed from storage as they are read; [] when none. */
export async function takeSharedFiles(id: string): Promise<File[]> {
  if (typeof indexedDB === "undefined") return [];
  const db = await open();
  try {
    return await new Promise<File[]>((resolve, reject) => {
      const tx = db.transaction("shares", "readwrite");
      const store = tx.objectStore("shares");
      let files: File[] = [];
      store.get(id).onsuccess = (e) => {
        const record = (e.target as IDBRequest<{ files: File[] } | undefined>).result;
        files = record?.files ?? [];
        store.delete(id);
      };
      // Forgotten shares: anything older than a day.
      store.openCursor().onsuccess = (e) => {
        const cursor = (e.target as IDBRequest<IDBCursorWithValue | null>).result;
        if (!cursor) return;
        if (Date.now() - ((cursor.value as { at?: number }).at ?? 0) > DAY_MS) cursor.delete();
        cursor.continue();
      };
      tx.oncomplete = () => resolve(files);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}
