// Times as people type and read them on the podcast pages: chapter starts ("mm:ss" or
// "h:mm:ss") and player positions. Pure and client-safe.

/** "4:05", "1:02:09": whole seconds, minutes unpadded below an hour. */
export function formatClock(seconds: number): string {
  const total = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/**
 * Reads "75", "1:15", "01:15", "1:02:09" or "1:15.5" into seconds; null for anything else
 * (a typo must not silently become 0). Minutes and seconds above 59 are refused in the
 * h:mm:ss form, but "90:00" (ninety minutes) is accepted, as people write it.
 */
export function parseClock(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+(:\d{1,2}){0,2}(\.\d+)?$/.test(trimmed)) return null;
  const parts = trimmed.split(":").map(Number);
  if (parts.slice(1).some((p) => p >= 60)) return null;
  if (parts.length === 3 && parts[1] >= 60) return null;
  return parts.reduce((sum, part) => sum * 60 + part, 0);
}

/** The index of the entry playing at `time` in a list sorted by start (-1 before the first). */
export function indexAt<T>(items: readonly T[], time: number, startOf: (item: T) => number): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (startOf(items[mid]) <= time) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
