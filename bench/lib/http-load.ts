// HTTP load with autocannon: a warm-up that is thrown away, then a timed run whose
// latency percentiles (HDR histogram, per request) are reported.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import autocannon from "autocannon";
import { cpuSeconds } from "./proc";

export interface LoadResult {
  p50: number;
  p99: number;
  mean: number;
  requests: number;
  rps: number;
  non2xx: number;
  errors: number;
  /**
   * CPU time (user + system) the server process spent per request during the timed run,
   * when `serverPid` was given: on a shared, loaded machine this moves far less than
   * latency or req/s, so it is the fairest "how much work is one request" figure.
   */
  cpuMsPerRequest?: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: Buffer;
  warmupSeconds?: number;
  /** The process answering (e.g. stack.webPid): its CPU time is read around the timed run. */
  serverPid?: number;
}

const errorSamples = new Set<string>();

function once(opts: LoadOptions, seconds: number): Promise<autocannon.Result> {
  const inst = autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: seconds,
    method: opts.method ?? "GET",
    headers: { ...opts.headers },
    body: opts.body,
    timeout: 30,
  }) as Promise<autocannon.Result> & { on(event: "reqError", listener: (err: Error) => void): void };
  // The first distinct errors are kept so a failed run can say why.
  inst.on("reqError", (e: Error) => {
    if (errorSamples.size < 5) errorSamples.add(e.message);
  });
  return inst;
}

/**
 * Writes every dirty page to disk. The kernel writes a file's pages back ~30 s after they
 * were dirtied (vm.dirty_expire_centisecs), so without this the ~1 GB an earlier upload case
 * wrote lands in the middle of a later case — whichever side runs then — and stalls it: an
 * INSERT's commit waits behind the flush. Seen in scenario 1: 2.5 s with no answer at all,
 * 30 s after the previous case began (docs/performance.md, "Session 10").
 */
const run = promisify(execFile);
const flushDirtyPages = () => run("sync");

export async function load(opts: LoadOptions): Promise<LoadResult> {
  if (opts.warmupSeconds !== 0) await once(opts, opts.warmupSeconds ?? 2);
  await flushDirtyPages();
  errorSamples.clear();
  const cpuBefore = opts.serverPid ? cpuSeconds(opts.serverPid) : NaN;
  const r = await once(opts, opts.seconds);
  const cpu = opts.serverPid ? cpuSeconds(opts.serverPid) - cpuBefore : NaN;
  if (r.errors + r.timeouts > 0) {
    throw new Error(`${opts.url}: ${r.errors} errors, ${r.timeouts} timeouts (${[...errorSamples].join("; ")})`);
  }
  const requests = r.requests.total;
  return {
    p50: r.latency.p50,
    p99: r.latency.p99,
    mean: r.latency.average,
    requests,
    rps: requests / opts.seconds,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    ...(Number.isFinite(cpu) && requests > 0 ? { cpuMsPerRequest: (cpu * 1000) / requests } : {}),
  };
}
