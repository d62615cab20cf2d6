// Removing an object that must not stay: an upload whose write failed half-way (a store
// killed as it wrote may have kept every byte and never said so), or whose row or job could
// not be made. When storage cannot be reached to delete it (the usual reason the write
// failed), the delete is retried in the background, with a growing pause, until storage
// answers or RETRY_FOR_MS passes; each outcome is logged with the key. What this process
// could not remove (it gave up, or it stopped first) is an orphan for the orphan collector.
import { log, type Logger } from "../log";
import type { Storage } from "./types";

/** How long the background keeps trying: longer than a restart of the store, not forever. */
export const RETRY_FOR_MS = 15 * 60_000;

/** What storage answered, in one line: its code where the message lacks it. */
const describe = (err: unknown) => {
  const e = (err instanceof Error && err.cause ? err.cause : err) as { name?: string; code?: unknown; message?: string };
  const message = e?.message || e?.name || String(err);
  return typeof e?.code === "string" && !message.includes(e.code) ? `${e.code} ${message}` : message;
};

/** Deletes now if it can; otherwise keeps trying in the background. Never throws. */
export async function discardObject(storage: Storage, key: string, why: string, opts: { retryForMs?: number; firstDelayMs?: number; maxDelayMs?: number } = {}): Promise<void> {
  const logger = log();
  try {
    await storage.delete(key);
    return;
  } catch (err) {
    logger.warn({ key, why, err: describe(err) }, "storage: could not remove an object that must not stay; retrying in the background");
  }
  retryInBackground(storage, key, why, logger, {
    until: Date.now() + (opts.retryForMs ?? RETRY_FOR_MS),
    firstDelayMs: opts.firstDelayMs ?? 1_000,
    maxDelayMs: opts.maxDelayMs ?? 30_000,
  });
}

function retryInBackground(storage: Storage, key: string, why: string, logger: Logger, o: { until: number; firstDelayMs: number; maxDelayMs: number }) {
  let delay = o.firstDelayMs;
  let tries = 1;
  const attempt = async () => {
    tries += 1;
    try {
      await storage.delete(key);
      logger.info({ key, why, tries }, "storage: removed the leftover object");
      return;
    } catch (err) {
      if (Date.now() + delay > o.until) {
        logger.error({ key, why, tries, err: describe(err) }, "storage: gave up removing a leftover object; it is an orphan for the orphan collector");
        return;
      }
    }
    delay = Math.min(delay * 2, o.maxDelayMs);
    schedule();
  };
  // unref: a pending cleanup must not keep a stopping process alive.
  const schedule = () => setTimeout(() => void attempt(), delay).unref();
  schedule();
}
