// Per web process: ONE blocking Redis connection reads the event stream and hands each
// event to the SSE streams that asked for that entity. Thousands of browsers cost one
// Redis connection, not thousands.
import type { Redis } from "ioredis";
import { log } from "@/lib/log";
import { eventsKey, type LiveEvent } from "./index";

export type EventListener = (event: LiveEvent, eventId: string) => void;

export class EventHub {
  private readonly listeners = new Map<string, Set<EventListener>>();
  private redis: Redis | null = null;
  private loop: Promise<void> | null = null;
  private closed = false;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly connect: () => Redis,
    private readonly prefix: string,
  ) {}

  /** Number of (entity, listener) pairs: a gauge for metrics and tests. */
  get size(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  /**
   * Calls `listener` for every event about any of `ids` from now on. Resolves once the
   * reader is positioned, so no event published after that can be missed.
   */
  async subscribe(ids: readonly string[], listener: EventListener): Promise<() => void> {
    for (const id of ids) {
      let set = this.listeners.get(id);
      if (!set) this.listeners.set(id, (set = new Set()));
      set.add(listener);
    }
    await this.start();
    return () => {
      for (const id of ids) {
        const set = this.listeners.get(id);
        set?.delete(listener);
        if (set?.size === 0) this.listeners.delete(id);
      }
    };
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    this.redis = this.connect();
    this.ready = this.tail().then((lastId) => {
      this.loop = this.read(lastId);
    });
    this.ready.catch(() => (this.ready = null));
    return this.ready;
  }

  /** The id of the newest entry, so reading starts exactly after it ("$" would race). */
  private async tail(): Promise<string> {
    const newest = await this.redis!.xrevrange(eventsKey(this.prefix), "+", "-", "COUNT", 1);
    return newest[0]?.[0] ?? "0-0";
  }

  private async read(fromId: string): Promise<void> {
    let lastId = fromId;
    while (!this.closed) {
      try {
        const reply = await this.redis!.xread("COUNT", 500, "BLOCK", 5_000, "STREAMS", eventsKey(this.prefix), lastId);
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            this.dispatch(id, fields);
          }
        }
      } catch (err) {
        if (this.closed) return;
        log().error({ err: (err as Error).message }, "events: stream read failed, retrying");
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private dispatch(id: string, fields: string[]): void {
    const raw = fields[fields.indexOf("e") + 1];
    if (!raw) return;
    let event: LiveEvent;
    try {
      event = JSON.parse(raw) as LiveEvent;
    } catch {
      return;
    }
    for (const listener of this.listeners.get(event.id) ?? []) {
      try {
        listener(event, id);
      } catch (err) {
        log().error({ err }, "events: listener failed");
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.redis?.disconnect();
    await this.loop?.catch(() => {});
  }
}
