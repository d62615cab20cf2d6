// Test support for the AI jobs API: a client over the real route handlers, as a browser
// session (cookie) or a program (API token), and waiting for a job to reach a status.
import { POST as createToken } from "@/app/api/account/tokens/route";
import { GET as getJob } from "@/app/api/v1/jobs/[id]/route";
import { POST as cancelJob } from "@/app/api/v1/jobs/[id]/cancel/route";
import { POST as retryJob } from "@/app/api/v1/jobs/[id]/retry/route";
import { GET as listJobs, POST as createJob } from "@/app/api/v1/jobs/route";
import { GET as streamJobs } from "@/app/api/v1/jobs/stream/route";
import type { JobDetail } from "@/lib/ai-jobs/service";
import { call } from "./http";
import { waitFor } from "./processes";

/** A cookie ("fc_session=…") or an API token ("fc_…"). */
export type Auth = { cookie: string } | { token: string };

export interface MadeToken {
  token: string;
  webhookSecret: string;
}

/** Creates an API token for a signed-in user (Settings → API tokens). */
export async function makeToken(cookie: string, scopes: string[] = ["read", "write"]): Promise<MadeToken> {
  const res = await call(createToken, {
    path: "/api/account/tokens",
    method: "POST",
    cookie,
    body: JSON.stringify({ name: "jobs test", scopes }),
    headers: { "content-type": "application/json" },
  });
  if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${await res.text()}`);
  return res.json();
}

export function jobsClient(auth: Auth) {
  const authOpts = (headers: Record<string, string> = {}) =>
    "cookie" in auth ? { cookie: auth.cookie, headers } : { headers: { ...headers, authorization: `Bearer ${auth.token}` } };
  return {
    create(body: unknown, headers: Record<string, string> = {}) {
      const opts = authOpts({ "content-type": "application/json", ...headers });
      return call(createJob, { path: "/api/v1/jobs", method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), ...opts });
    },
    get(id: string) {
      return call(getJob, { path: `/api/v1/jobs/${id}`, params: { id }, ...authOpts() });
    },
    list(query = "") {
      return call(listJobs, { path: `/api/v1/jobs${query}`, ...authOpts() });
    },
    cancel(id: string) {
      return call(cancelJob, { path: `/api/v1/jobs/${id}/cancel`, method: "POST", params: { id }, ...authOpts() });
    },
    stream(ids: string[], signal?: AbortSignal) {
      return call(streamJobs, { path: `/api/v1/jobs/stream?ids=${ids.join(",")}`, signal, ...authOpts() });
    },
    retry(id: string) {
      return call(retryJob, { path: `/api/v1/jobs/${id}/retry`, method: "POST", params: { id }, ...authOpts() });
    },
    /** POSTs and expects 202; returns the new job's id. */
    async submit(body: unknown): Promise<string> {
      const res = await this.create(body);
      if (res.status !== 202) throw new Error(`job creation failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { job_id: string }).job_id;
    },
    async detail(id: string): Promise<JobDetail> {
      const res = await this.get(id);
      if (res.status !== 200) throw new Error(`GET job failed: ${res.status} ${await res.text()}`);
      return res.json();
    },
    /** Polls the job until `until` holds (default: finished). */
    waitFor(id: string, until: (job: JobDetail) => boolean = (j) => ["completed", "failed", "canceled"].includes(j.status), timeoutMs = 30_000) {
      return waitFor(`job ${id}`, async () => {
        const job = await this.detail(id);
        return until(job) ? job : null;
      }, timeoutMs, 50);
    },
  };
}

export type JobsClient = ReturnType<typeof jobsClient>;
