// When an episode's run fails (any step, after its last attempt), the show's Discord channel
// hears which step failed and why, and its webhook gets `episode.failed` — as seed 001 asks
// ("notify on completion and on error"). Run by the podcast-failure-notice job, which the
// workflow's failure hook queues; a run resumed meanwhile is not reported.
import { failureMessage } from "./discord";
import { notifyShow, type Channel, type NotifyResult } from "./notify";
import { EPISODE_PLAN } from "./plan";
import { getEpisodeByRun, getShow, updateEpisode } from "./repository";
import { episodeEventData } from "./steps/notify";
import { episodePagePath, type UrlConfig } from "./urls";
import type { Db } from "@/lib/db";
import { stepLabel } from "@/lib/workflow/plan";

export interface FailureNoticeDeps {
  db: Db;
  urls: UrlConfig;
  notifyTimeoutMs?: number;
}

export async function noticeRunFailure(
  deps: FailureNoticeDeps,
  payload: { runId: string; generation: number },
  opts: { lastAttempt: boolean; done: readonly Channel[]; onSent(channel: Channel): Promise<void>; signal?: AbortSignal },
): Promise<NotifyResult | null> {
  const episode = await getEpisodeByRun(deps.db, payload.runId);
  if (!episode) return null;
  const run = episode.run;
  if (run.generation !== payload.generation || run.status !== "failed") return null;
  const show = await getShow(deps.db, episode.showId);
  if (!show) return null;
  const failed = run.steps.find((s) => s.status === "failed") ?? run.steps.find((s) => s.phase === run.phase && s.step === run.step);
  const step = failed ? stepLabel(EPISODE_PLAN, failed.phase, failed.step) : run.step;
  const error = failed?.error ?? run.error ?? "The step failed.";
  const failedAt = failed?.finishedAt ?? new Date();
  const title = episode.title || episode.originalName;
  const result = await notifyShow(
    show,
    {
      discord: failureMessage({ showTitle: show.title, episodeTitle: title, step, error, episodeUrl: new URL(episodePagePath(episode.id), deps.urls.appUrl).toString(), failedAt }),
      event: { id: `msg_${episode.id}_failed_${run.id}_g${run.generation}`, type: "episode.failed", timestamp: failedAt },
      data: { ...episodeEventData(deps.urls, show, episode), failure: { phase: failed?.phase ?? run.phase, step: failed?.step ?? run.step, stepLabel: step, error } },
    },
    { timeoutMs: deps.notifyTimeoutMs, ...opts },
  );
  if (result.errors.length > 0) await updateEpisode(deps.db, episode.id, { notifyError: result.errors.join(" ") });
  return result;
}
