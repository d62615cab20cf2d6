"use client";

// Waiting for the network, shared by both upload transports (resumable-upload.ts for big
// files, upload-queue.ts's sendForm for the rest): a request that got no answer pauses here
// and is sent again when it is worth trying.

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Resolves when it is worth trying again: back online, the tab shown again (a phone suspends
 * a tab in the background and its requests die with it), or after a growing pause (at most 15 s).
 */
export function networkBack(attempt: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      window.removeEventListener("online", done);
      document.removeEventListener("visibilitychange", shown);
      clearTimeout(timer);
      resolve();
    };
    const shown = () => {
      if (document.visibilityState === "visible" && navigator.onLine) done();
    };
    window.addEventListener("online", done);
    document.addEventListener("visibilitychange", shown);
    // Offline: wait for the event (the timer is only a safety net); online: a short backoff.
    const wait = navigator.onLine ? Math.min(1000 * 2 ** attempt, 15_000) : 30_000;
    const timer = setTimeout(done, wait);
  });
}
