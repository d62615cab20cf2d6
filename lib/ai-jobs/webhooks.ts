// Completion webhooks of AI jobs: when a job with a webhookUrl finishes, its view is POSTed
// there, signed per Standard Webhooks with the secret of the API token that created it.
// Every attempt is recorded on the job (WebhookDelivery). The address is checked against
// our own network at delivery time, because a name can resolve differently than it did.
import { lookup } from "node:dns/promises";
import type { Db } from "@/lib/db";
import { InvalidInputError } from "@/lib/errors";
import { deliver, type DeliveryResult } from "@/lib/webhooks/standard";
import { recordDelivery, getJob } from "./repository";
import { blockedAddressReason } from "./safe-fetch";
import { isTerminalJob, toJobView } from "./view";

export interface WebhookDeps {
  db: Db;
  /** AI_JOBS_ALLOW_PRIVATE_HOSTS: true (tests) or exact host names that may be on our network. */
  allowPrivateHosts: boolean | readonly string[];
  /** Resolves a host name to its addresses (tests inject one). */
  resolve?: (hostname: string) => Promise<string[]>;
  timeoutMs?: number;
}

/** The event id: one per finished state of a job, the same on every retry of its delivery. */
export const webhookMessageId = (jobId: string, version: number) => `msg_${jobId.replaceAll("-", "")}_v${version}`;

const systemResolve = async (hostname: string) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** Throws InvalidInputError on webhookUrl when the address is on our own network. */
export async function checkWebhookAddress(url: string, deps: Pick<WebhookDeps, "allowPrivateHosts" | "resolve">): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  const allow = deps.allowPrivateHosts;
  if (allow === true || (Array.isArray(allow) && allow.includes(host.toLowerCase()))) return;
  let addresses: string[];
  try {
    addresses = await (deps.resolve ?? systemResolve)(host);
  } catch {
    // Unresolvable now: deliver() will fail to connect and the delivery is retried.
    return;
  }
  for (const address of addresses) {
    const why = blockedAddressReason(address);
    if (why) {
      const message = `Webhooks are only delivered to public addresses; this one resolves to ${why}.`;
      throw new InvalidInputError({ webhookUrl: message }, message);
    }
  }
}

export type WebhookOutcome = { delivered: DeliveryResult } | { skipped: string };

/**
 * Delivers the webhook of job `jobId` for the state it had at `version`. Throws what
 * deliver() throws (RateLimitedError, a transient Error, InvalidInputError for a refusal
 * or a forbidden address), after recording the attempt on the job.
 */
export async function deliverJobWebhook(
  deps: WebhookDeps,
  ref: { jobId: string; version: number },
  attempt: number,
  signal?: AbortSignal,
): Promise<WebhookOutcome> {
  const job = await getJob(deps.db, ref.jobId);
  if (!job || !job.webhookUrl) return { skipped: "the job or its webhook is gone" };
  // Retried since, and running again: this event is out of date; the next finish sends its own.
  if (!isTerminalJob(job.status)) return { skipped: `the job is ${job.status} again` };
  const messageId = webhookMessageId(job.id, ref.version);
  const record = (fields: { status: number | null; ok: boolean; error: string | null; durationMs: number | null }) =>
    recordDelivery(deps.db, { jobId: job.id, messageId, attempt, ...fields });

  const token = job.tokenId ? await deps.db.apiToken.findUnique({ where: { id: job.tokenId }, select: { webhookSecret: true } }) : null;
  if (!token?.webhookSecret) {
    const message = "The API token that created this job no longer exists, so there is no secret to sign its webhook with.";
    await record({ status: null, ok: false, error: message, durationMs: null });
    throw new InvalidInputError({ webhookUrl: message }, message);
  }
  try {
    await checkWebhookAddress(job.webhookUrl, deps);
  } catch (err) {
    await record({ status: null, ok: false, error: (err as Error).message, durationMs: null });
    throw err;
  }
  const delivered = await deliver(
    job.webhookUrl,
    { id: messageId, type: `job.${job.status}`, timestamp: job.completedAt ?? new Date() },
    toJobView(job),
    token.webhookSecret,
    { signal, timeoutMs: deps.timeoutMs, onAttempt: (a) => record(a).then(() => {}) },
  );
  return { delivered };
}
