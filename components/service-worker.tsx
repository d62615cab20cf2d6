"use client";
// Registers public/sw.js (static files cache and share target) in production builds. Under
// `next dev` it stays off: a cache in front of files that change on every save would
// confuse more than it helps.
import { useEffect } from "react";

export function ServiceWorker() {
  useEffect(() => {
    if (process.env.NODE_ENV !== "production" || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // Without it the app works the same, only without the cache and the share target.
    });
  }, []);
  return null;
}
