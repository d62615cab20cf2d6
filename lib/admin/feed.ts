// The live overview behind the admin page: ONE feed per web process, however many admins
// watch. While anyone watches it listens to each queue's events (one QueueEvents, i.e. one
// blocking Redis connection, per queue per process), recomputes the overview at most once a
// second after something happened, and every 15 s so the throughput chart moves on with
// the clock. Unchanged overviews are not re-sent. Nobody watching: no connections, no timers.
import { QueueEvents } from "bullmq";
import { env } from "@/lib/env";
import { queueNames } from "@/lib/jobs";
import { log } from "@/lib/log";
import { bullConnection } from "@/lib/redis";
import { dropSingleton, singleton } from "@/lib/singleton";
import { buildOverview, type Overview } from "./overview";

export type FeedMessage = { type: "overview"; overview: Overview } | { type: "problem"; message: string };
type Listener = (message: FeedMessage) => void;

const QUEUE_EVENTS = [
  "waiting", "active", "completed", "failed", "delayed", "removed", "paused", "resumed",
  "cleaned", "drained", "retries-exhausted", "stalled", "waiting-children",
] as const;
const MIN_INTERVAL_MS = 1_000;
const CLOCK_MS = 15_000;

export class OverviewFeed {
  private readonly listeners = new Set<Listener>();
  private events: QueueEvents[] = [];
  private clock: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private lastRunAt = 0;
  private last: { overview: Overview; key: string } | null = null;

  constructor(private readonly compute: () => Promise<Overview> = () => buildOverview()) {}

  get watchers(): number {
    return this.listeners.size;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.start();
    if (this.last) listener({ type: "overview", overview: this.last.overview });
    this.refreshSoon();
    return () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) void this.stop();
    };
  }

  /** Something changed that no queue event announces (or an admin just acted): look now. */
  refreshSoon(): void {
    if (this.timer || this.listeners.size === 0) return;
    const wait = Math.max(50, this.lastRunAt + MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, wait);
  }

  private start(): void {
    this.events = queueNames.map((name) => {
      const events = new QueueEvents(name, { connection: bullConnection("events-subscribe"), prefix: env().QUEUE_PREFIX });
      for (const event of QUEUE_EVENTS) events.on(event, () => this.refreshSoon());
      events.on("error", (err) => log().warn({ queue: name, err: err.message }, "admin feed: queue events failed"));
      return events;
    });
    this.clock = setInterval(() => this.refreshSoon(), CLOCK_MS);
  }

  private async stop(): Promise<void> {
    if (this.clock) clearInterval(this.clock);
    if (this.timer) clearTimeout(this.timer);
    this.clock = this.timer = null;
    this.last = null;
    const events = this.events.splice(0);
    await Promise.all(events.map((e) => e.close().catch(() => {})));
  }

  private async refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.lastRunAt = Date.now();
    try {
      const overview = await this.compute();
      const key = JSON.stringify({ ...overview, at: null });
      if (key !== this.last?.key) {
        this.last = { overview, key };
        this.emit({ type: "overview", overview });
      }
    } catch (err) {
      log().warn({ err: (err as Error).message }, "admin feed: overview failed");
      this.emit({ type: "problem", message: "Could not read the queues just now; retrying." });
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.refreshSoon();
      }
    }
  }

  private emit(message: FeedMessage): void {
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (err) {
        log().error({ err }, "admin feed: listener failed");
      }
    }
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.stop();
  }
}

export function overviewFeed(): OverviewFeed {
  return singleton("overview-feed", () => new OverviewFeed());
}

export async function closeOverviewFeed(): Promise<void> {
  await dropSingleton<OverviewFeed>("overview-feed")?.close();
}
