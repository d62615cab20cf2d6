// Framecast's service worker. Two jobs, nothing else:
// 1. Keep the app's own static files (content-hashed build files under /_next/static/, the
//    icons) in a cache, so the app opens fast on a phone's slow network. Never pages (they
//    carry a person's data), never /api answers, never photos, videos, audio or feeds: those
//    go to the network exactly as without a service worker.
// 2. Receive photos shared to the installed app (the manifest's share_target POSTs them to
//    /share-target): they are handed to the uploader page through IndexedDB (not a cache)
//    and taken out again as soon as the page has them.
const STATIC_CACHE = "framecast-static-v1";
const MAX_STATIC_ENTRIES = 400;
const CACHEABLE = [/^\/_next\/static\//, /^\/icons\/[\w.-]+\.png$/, /^\/favicon\.ico$/, /^\/apple-touch-icon\.png$/];
const SHARE_DB = "framecast-share";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== STATIC_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  if (event.request.method === "POST" && url.pathname === "/share-target") {
    event.respondWith(receiveShare(event.request));
    return;
  }
  if (event.request.method !== "GET" || !CACHEABLE.some((re) => re.test(url.pathname))) return;
  event.respondWith(fromCache(event.request, url));
});

async function fromCache(request, url) {
  const cache = await caches.open(STATIC_CACHE);
  const hit = await cache.match(request);
  // Build files never change under one name; icons may, so they are refreshed behind the hit.
  const refresh = fetch(request).then(async (response) => {
    if (response.ok && response.type === "basic") {
      await cache.put(request, response.clone());
      await trim(cache);
    }
    return response;
  });
  if (hit) {
    if (!url.pathname.startsWith("/_next/static/")) refresh.catch(() => {});
    return hit;
  }
  return refresh;
}

/** Old builds' files pile up across deploys: drop the oldest past a bound. */
async function trim(cache) {
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_STATIC_ENTRIES)).map((k) => cache.delete(k)));
}

function openShareDb() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(SHARE_DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore("shares");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function receiveShare(request) {
  let files = [];
  try {
    const form = await request.formData();
    files = form.getAll("photos").filter((f) => typeof f === "object" && f.size > 0);
  } catch {
    // An unreadable form: the page says nothing arrived.
  }
  const id = crypto.randomUUID();
  try {
    const db = await openShareDb();
    await new Promise((resolve, reject) => {
      const tx = db.transaction("shares", "readwrite");
      tx.objectStore("shares").put({ files, at: Date.now() }, id);
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  } catch {
    // Storage full or refused: the library still opens, and says the photos did not arrive.
  }
  return Response.redirect(`/?shared=${id}`, 303);
}
