// Everything the scenarios run against, started on demand and stopped at the end: a
// private Redis (or the one named by BENCH_REDIS_URL), a fresh Postgres schema, the built
// app under `next start`, the bare-node baseline server, worker processes, and a signed-up
// bench user. Ports: web 3500, baseline 3501, stubs 3550-3559, private Redis 6400-6409, all
// shifted by BENCH_PORT_OFFSET (so two checkouts can bench side by side).
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { queueNames } from "@/lib/jobs/catalogue";
import type { MediaView } from "@/lib/media/view";
import { applyMigrations, ensureDatabase } from "@/prisma/offline-migrate";
import { ensureNextBuild, ensurePrismaClient, nextBuildIsStale, prismaClientIsStale } from "@/scripts/build-if-stale.mjs";
import { WEB_NODE_FLAGS } from "@/scripts/node-flags.mjs";
import { MULTIPART_TYPE, multipartBody } from "./fixtures";
import { startChild, startPrivateRedis, startWorker, type Child, type PrivateRedis } from "@/test/processes";
import { listenerPid } from "./proc";
import { openSse } from "./sse-client";
import { sleep } from "./stats";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const OFFSET = Number(process.env.BENCH_PORT_OFFSET ?? 0);
export const PORTS = {
  web: 3500 + OFFSET,
  baseline: 3501 + OFFSET,
  stub: 3550 + OFFSET,
  redis: [6400 + OFFSET, 6409 + OFFSET] as const,
};

const log = (line: string) => process.stderr.write(`\x1b[2m[bench] ${line}\x1b[0m\n`);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(true));
  });
}

async function requireFree(port: number, what: string) {
  if (!(await portFree(port))) {
    throw new Error(`Port ${port} (${what}) is already in use: stop whatever is listening there (a previous bench run?) and try again.`);
  }
}

/** Same rule as `npm start`: generate the Prisma client, build the app, each only when stale. */
function buildIfStale() {
  if (prismaClientIsStale(ROOT)) log("generating the Prisma client…");
  ensurePrismaClient({ root: ROOT, stdio: ["ignore", 2, 2] });
  if (nextBuildIsStale(ROOT)) log("building the app (next build; the source is newer than .next)…");
  ensureNextBuild({ root: ROOT, stdio: ["ignore", 2, 2] });
}

export interface RedisInfo {
  url: string;
  port: number;
  /** True when the bench started its own redis-server (stopped at the end). */
  own: boolean;
}

export interface Stack {
  prefix: string;
  dataDir: string;
  env: Record<string, string>;
  webUrl: string;
  baselineUrl: string;
  /** The pid of the process listening on the web port (the real Next server). */
  webPid: number;
  baselinePid: number;
  cookie: string;
  userId: string;
  upload(files: { name: string; bytes: Buffer }[]): Promise<MediaView[]>;
  /** Follows photos over the app's SSE stream until every one is done or failed. */
  waitUntilFinished(ids: string[], timeoutMs?: number): Promise<Map<string, MediaView>>;
  /** A worker process (tsx worker/index.ts) with extra environment; resolves once it is consuming. */
  startWorker(extraEnv?: Record<string, string>, extraNodeArgs?: string[]): Promise<Child>;
  /** Removes every waiting job of the app's queues and fails the photos left waiting for them, so a worker started next sees only new work. */
  clearQueues(): Promise<void>;
  /** Fresh web and baseline processes (same ports, data and user): memory figures start from the same state. */
  restartServers(): Promise<void>;
  /** A read+write API token of the bench user (made once, through the account API). */
  apiToken(): Promise<string>;
  /** A pg pool on the run's schema (search_path set), for seeding and counting rows; closed at the end. */
  sql(): pg.Pool;
}

export class Resources {
  readonly runId = randomBytes(3).toString("hex");
  /** The app's queue/event prefix; the bench process's own env() uses `${prefix}-q`. */
  readonly prefix = `fcbench-${this.runId}`;
  private redisInfo?: Promise<RedisInfo>;
  private redisServer?: PrivateRedis;
  private stackPromise?: Promise<Stack>;
  private children: Child[] = [];
  private schema?: string;
  private databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/framecast_bench";
  private dataDir?: string;
  private redisClients: Redis[] = [];
  private pools: pg.Pool[] = [];

  redis(): Promise<RedisInfo> {
    this.redisInfo ??= this.startRedis();
    return this.redisInfo;
  }

  /** A plain ioredis client on the bench Redis, closed at the end. */
  async client(): Promise<Redis> {
    const { url } = await this.redis();
    const client = new Redis(url, { maxRetriesPerRequest: null });
    this.redisClients.push(client);
    return client;
  }

  private async startRedis(): Promise<RedisInfo> {
    const given = process.env.BENCH_REDIS_URL;
    let info: RedisInfo | undefined;
    if (given) {
      info = { url: given, port: Number(new URL(given).port || 6379), own: false };
    } else if (spawnSync("redis-server", ["--version"]).status === 0) {
      // Every port of the range taken: fall back to the shared Redis below.
      this.redisServer = await startPrivateRedis({ portRange: PORTS.redis, appendfsync: "off" }).catch(() => undefined);
      if (this.redisServer) info = { url: this.redisServer.url, port: this.redisServer.port, own: true };
    }
    info ??= { url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", port: 6379, own: false };
    process.env.REDIS_URL = info.url;
    log(`Redis: ${info.url}${info.own ? " (private, started for this run)" : ""}`);
    return info;
  }

  stack(): Promise<Stack> {
    this.stackPromise ??= this.startStack();
    return this.stackPromise;
  }

  private async startStack(): Promise<Stack> {
    await requireFree(PORTS.web, "bench web server");
    await requireFree(PORTS.baseline, "bench baseline server");
    const redis = await this.redis();

    // Postgres: a schema of its own in the bench database, dropped at the end.
    this.schema = `bench_${this.runId}`;
    await ensureDatabase(this.databaseUrl);
    await applyMigrations({ connectionString: this.databaseUrl, schema: this.schema });
    this.dataDir = await mkdtemp(path.join(os.tmpdir(), `framecast-bench-${this.runId}-`));
    buildIfStale();

    const env: Record<string, string> = {
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: this.databaseUrl,
      DATABASE_SCHEMA: this.schema,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: this.prefix,
      DATA_DIR: this.dataDir,
      STORAGE_DRIVER: "local",
      GEMINI_API_KEY: "",
      APP_URL: `http://127.0.0.1:${PORTS.web}`,
      // Raised for the 200 MB streaming-upload scenario; everything else sends far less.
      MAX_FILE_BYTES: String(300 * 1024 * 1024),
      MAX_REQUEST_BYTES: String(300 * 1024 * 1024),
      // Per-user and per-address limits sized for a benchmark, not for people: scenario 1
      // sends thousands of uploads a minute from one user (the limiter itself still runs).
      RATE_LIMIT_UPLOAD_USER: "1000000/1m",
      RATE_LIMIT_SIGNUP_IP: "1000/1m",
      // The jobs API's per-token bucket (100/min, burst 10 for people): the jobs-api
      // scenario sends thousands a minute from one token.
      RATE_LIMIT_REQUESTS_PER_MINUTE: "1000000",
      RATE_LIMIT_BURST_SIZE: "100000",
      // Bench workers serve no /metrics: port 9464 may belong to a worker of the developer's own.
      WORKER_METRICS_PORT: "0",
    };
    const childEnv = { ...process.env, ...env, PORT: "" };

    const webUrl = `http://127.0.0.1:${PORTS.web}`;
    const baselineUrl = `http://127.0.0.1:${PORTS.baseline}`;
    const servers = async () => {
      log(`starting next start on :${PORTS.web} and the baseline server on :${PORTS.baseline}…`);
      // BENCH_WEB_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the web process.
      // The flags the web process ships with (scripts/node-flags.mjs), then these.
      const webNodeArgs = [...WEB_NODE_FLAGS, ...(process.env.BENCH_WEB_NODE_ARGS ?? "").split(" ").filter(Boolean)];
      const nextBin = path.join(ROOT, "node_modules/next/dist/bin/next");
      const web = startChild(process.execPath, [...webNodeArgs, nextBin, "start", "-p", String(PORTS.web), "-H", "127.0.0.1"], {
        name: "web",
        env: childEnv,
      });
      const baseline = startChild(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/lib/baseline-server.ts")], {
        name: "baseline",
        env: { ...childEnv, BASELINE_PORT: String(PORTS.baseline) },
      });
      this.children.push(web, baseline);
      await Promise.all([waitHttp(`${webUrl}/api/v1/media`, web), baseline.waitForOutput(/baseline listening/, 30_000)]);
      return { web, baseline, webPid: listenerPid(PORTS.web) ?? web.pid, baselinePid: listenerPid(PORTS.baseline) ?? baseline.pid };
    };
    let running = await servers();

    // The bench user, signed up through the API like a person would.
    const res = await fetch(`${webUrl}/api/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: webUrl },
      body: JSON.stringify({ email: `bench-${this.runId}@example.com`, password: "bench password 1234" }),
    });
    if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
    const cookie = res.headers.get("set-cookie")!.split(";")[0];
    const userId = ((await res.json()) as { user: { id: string } }).user.id;

    const prefix = this.prefix;
    const children = this.children;
    const pools = this.pools;
    const schema = this.schema;
    const databaseUrl = this.databaseUrl;
    let token: Promise<string> | undefined;
    let pool: pg.Pool | undefined;
    const queueConnection = { host: "127.0.0.1", port: redis.port, maxRetriesPerRequest: null };
    const stack: Stack = {
      prefix,
      dataDir: this.dataDir,
      env,
      webUrl,
      baselineUrl,
      webPid: running.webPid,
      baselinePid: running.baselinePid,
      cookie,
      userId,
      async restartServers() {
        await Promise.all([running.web.stop(), running.baseline.stop()]);
        running = await servers();
        stack.webPid = running.webPid;
        stack.baselinePid = running.baselinePid;
      },
      async upload(files) {
        const media: MediaView[] = [];
        for (let i = 0; i < files.length; i += 20) {
          const r = await fetch(`${webUrl}/api/v1/media`, {
            method: "POST",
            headers: { cookie, "content-type": MULTIPART_TYPE, origin: webUrl },
            body: new Uint8Array(multipartBody(files.slice(i, i + 20))),
          });
          if (r.status !== 202) throw new Error(`upload answered ${r.status}: ${await r.text()}`);
          media.push(...((await r.json()) as { media: MediaView[] }).media);
        }
        return media;
      },
      async waitUntilFinished(ids, timeoutMs = 120_000) {
        const latest = new Map<string, MediaView>();
        const stream = await openSse(`${webUrl}/api/v1/media/stream?ids=${ids.join(",")}`, cookie, (e) => {
          if (e.event === "media") {
            const m = JSON.parse(e.data) as MediaView;
            latest.set(m.id, m);
          }
        });
        const timer = setTimeout(() => stream.close(), timeoutMs);
        await stream.closed;
        clearTimeout(timer);
        const unfinished = ids.filter((id) => !["done", "failed"].includes(latest.get(id)?.status ?? ""));
        if (unfinished.length) throw new Error(`${unfinished.length} photo(s) not finished within ${timeoutMs} ms`);
        return latest;
      },
      async startWorker(extraEnv = {}, extraNodeArgs = []) {
        // BENCH_WORKER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles workers.
        // Both come after the flags the worker ships with (the last of a repeated flag wins).
        const nodeArgs = [...extraNodeArgs, ...(process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean)];
        const worker = await startWorker(extraEnv, { env: childEnv, nodeArgs });
        children.push(worker);
        return worker;
      },
      apiToken() {
        token ??= (async () => {
          const r = await fetch(`${webUrl}/api/account/tokens`, {
            method: "POST",
            headers: { cookie, "content-type": "application/json", origin: webUrl },
            body: JSON.stringify({ name: "bench", scopes: ["read", "write"] }),
          });
          if (r.status !== 201) throw new Error(`token creation answered ${r.status}: ${await r.text()}`);
          return ((await r.json()) as { token: string }).token;
        })();
        return token;
      },
      sql() {
        if (!pool) {
          pool = new pg.Pool({ connectionString: databaseUrl, max: 4, options: `-c search_path="${schema}"` });
          pools.push(pool);
        }
        return pool;
      },
      async clearQueues() {
        for (const name of queueNames) {
          const queue = new Queue(name, { prefix, connection: queueConnection });
          await queue.obliterate({ force: true });
          await queue.close();
        }
        // The photos those jobs were for would stay "queued" with no job, and a worker's
        // reconciler puts such photos back in the queue once they are RECONCILE_STALE_MS old:
        // a later scenario's worker then analysed an earlier scenario's photos (scenario 8
        // counted an 11th AI request for its 10 photos). Failed, they are out of its reach.
        await stack.sql().query(
          `UPDATE "Media" SET status = 'failed', stage = NULL, error = 'Discarded by the bench between scenarios.', "completedAt" = now()
            WHERE status IN ('queued', 'analysing')`,
        );
      },
    };
    return stack;
  }

  /** Stops every process the bench started and removes its data, schema and keys. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.children.map((c) => c.stop()));
    for (const client of this.redisClients) client.disconnect();
    await Promise.allSettled(this.pools.map((p) => p.end()));
    const redis = this.redisInfo ? await this.redisInfo.catch(() => undefined) : undefined;
    if (redis && !redis.own) {
      // Shared Redis: delete only this run's keys.
      const client = new Redis(redis.url);
      for (const match of [`${this.prefix}:*`, `${this.prefix}-*`]) {
        const stream = client.scanStream({ match, count: 1000 });
        for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await client.del(...keys);
      }
      client.disconnect();
    }
    await this.redisServer?.destroy();
    if (this.schema) {
      const client = new pg.Client({ connectionString: this.databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
      await client.end();
    }
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}

async function waitHttp(url: string, child: Child, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited (code ${child.proc.exitCode}):\n${child.output().slice(-3000)}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${child.output().slice(-3000)}`);
}
