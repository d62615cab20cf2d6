// Tells a show's people about an episode: its Discord channel (an embed) and its generic
// webhook (signed per Standard Webhooks). Notifications never decide whether an episode is
// published: a dead Discord webhook or a receiver that refuses is recorded on the episode
// (Episode.notifyError) for its owner to fix. A 429 waits the time asked for (thrown as
// RateLimitedError: the worker pauses the notification queue, without spending an
// attempt); a blip (5xx, timeout) is retried, and recorded only after the last attempt.
import { InvalidInputError, RateLimitedError } from "@/lib/errors";
import { deliver, type WebhookEvent } from "@/lib/webhooks/standard";
import { sendDiscord, type DiscordMessage } from "./discord";

export type Channel = "discord" | "webhook";

export interface NotifyTargets {
  discordWebhookUrl: string | null;
  webhookUrl: string | null;
  webhookSecret: string | null;
}

export interface Notification {
  /** Null: nothing for Discord (e.g. an edit of a published episode). */
  discord: DiscordMessage | null;
  event: WebhookEvent;
  data: unknown;
}

export interface NotifyOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** This is the last try: a transient failure is recorded instead of retried. */
  lastAttempt: boolean;
  /** Channels already notified by an earlier attempt (not sent again). */
  done: readonly Channel[];
  /** Called as soon as a channel has the message, so a retry does not send it twice. */
  onSent(channel: Channel): Promise<void>;
}

export interface NotifyResult {
  sent: Channel[];
  /** Sentences for the owner: what could not be delivered and what to do. */
  errors: string[];
}

export async function notifyShow(targets: NotifyTargets, note: Notification, opts: NotifyOptions): Promise<NotifyResult> {
  const result: NotifyResult = { sent: [], errors: [] };
  const attempt = async (channel: Channel, send: () => Promise<unknown>) => {
    if (opts.done.includes(channel)) return;
    try {
      await send();
      result.sent.push(channel);
      await opts.onSent(channel);
    } catch (err) {
      if (opts.signal?.aborted || err instanceof RateLimitedError) throw err;
      if (err instanceof InvalidInputError) {
        result.errors.push(err.message);
        return;
      }
      if (!opts.lastAttempt) throw err;
      const who = channel === "discord" ? "Discord" : "The show's webhook";
      result.errors.push(`${who} could not be notified after several tries: ${(err as Error).message}`);
    }
  };
  if (note.discord && targets.discordWebhookUrl) {
    const url = targets.discordWebhookUrl;
    await attempt("discord", () => sendDiscord(url, note.discord!, { timeoutMs: opts.timeoutMs, signal: opts.signal }));
  }
  if (targets.webhookUrl && targets.webhookSecret) {
    const { webhookUrl, webhookSecret } = targets;
    await attempt("webhook", () => deliver(webhookUrl, note.event, note.data, webhookSecret, { timeoutMs: opts.timeoutMs, signal: opts.signal }));
  }
  return result;
}
