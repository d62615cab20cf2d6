// The deploy files cannot be run here (no Docker daemon), so this keeps them honest against
// what the code reads: every app service's environment parses with lib/env.ts's schema
// (an unknown or misspelt variable fails, naming it), the ones a container must set are
// set, web and worker agree on the shared services, probes and commands point at what
// exists, the web processes share the resumable upload folder, and the Dockerfile, .ci/run
// and package.json agree on the Node.js version.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { envSchema, parseEnv } from "./env";
import { resumableRoot } from "./http/resumable";
import { createStorage } from "./storage";
import { WEB_NODE_FLAGS, WORKER_MALLOC_ENV, WORKER_NODE_FLAGS } from "@/scripts/node-flags.mjs";

const ROOT = path.resolve(__dirname, "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  deploy?: { replicas?: number };
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  volumes?: (string | { type?: string; source?: string; target: string })[];
}
interface Compose {
  services: Record<string, Service>;
  configs?: Record<string, { content?: string }>;
  volumes?: Record<string, unknown>;
}

/** What a person puts in .env (docs/deploy.md): only the variables compose insists on. */
const DOT_ENV: Record<string, string> = {
  POSTGRES_PASSWORD: "pg-secret-for-test",
  MINIO_ROOT_PASSWORD: "minio-secret-for-test",
  METRICS_TOKEN: "metrics-token-for-test-0123456789",
};

/** Compose's interpolation: ${X}, ${X:-default}, ${X:?error}, and $$ for a literal $. */
function interpolate(value: string, vars: Record<string, string>, required: Set<string>): string {
  return value.replace(/\$\$|\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (whole, name?: string, op?: string, arg?: string) => {
    if (whole === "$$") return "$";
    const given = vars[name!];
    if (op === "?") {
      required.add(name!);
      if (!given) throw new Error(`compose would stop: ${arg}`);
      return given;
    }
    return given || (op === "-" ? arg! : "");
  });
}

const required = new Set<string>();
const compose = load(read("compose.yaml")) as Compose;
const resolve = (value: unknown) => interpolate(String(value), DOT_ENV, required);
const services = Object.fromEntries(
  Object.entries(compose.services).map(([name, s]) => [
    name,
    { ...s, environment: Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, resolve(v)])) },
  ]),
);
const app = Object.entries(services).filter(([, s]) => s.image === compose.services.migrate.image);
const isWorker = (s: Service) => s.command?.includes("worker/index.ts") ?? false;
const isMigrate = (s: Service) => s.command?.includes("prisma/offline-migrate/cli.ts") ?? false;
const webs = app.filter(([, s]) => !s.command);
const workers = app.filter(([, s]) => isWorker(s));
const replicas = (list: [string, Service][]) => list.reduce((n, [, s]) => n + (s.deploy?.replicas ?? 1), 0);
const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1] ?? NaN);

describe("compose.yaml", () => {
  it("runs two web processes, two workers, PostgreSQL, Redis and MinIO, all from one image", () => {
    expect(app.map(([name]) => name).sort()).toEqual(["migrate", "web-1", "web-2", "worker"]);
    expect(replicas(webs)).toBe(2);
    expect(replicas(workers)).toBe(2);
    for (const name of ["postgres", "redis", "minio", "proxy"]) expect(services, name).toHaveProperty(name);
    for (const [name, s] of Object.entries(services)) {
      for (const dependency of Object.keys(s.depends_on ?? {})) expect(services, `${name} depends on ${dependency}`).toHaveProperty(dependency);
    }
  });

  it("sets only variables lib/env.ts knows, each with a value it accepts", () => {
    // ... and glibc's malloc settings for the worker, which the C library reads.
    const known = new Set([...Object.keys(envSchema.shape), ...Object.keys(WORKER_MALLOC_ENV)]);
    for (const [name, s] of app) {
      const unknown = Object.keys(s.environment).filter((key) => !known.has(key));
      expect(unknown, `${name}: variables lib/env.ts does not read`).toEqual([]);
      expect(() => parseEnv(s.environment), name).not.toThrow();
    }
  });

  it("sets every variable whose default only works on one machine, and storage a worker elsewhere can read", () => {
    const defaults = parseEnv({});
    const local = Object.entries(defaults)
      .filter(([, value]) => typeof value === "string" && /127\.0\.0\.1|localhost|\/data$/.test(value))
      .map(([key]) => key);
    expect(local.sort()).toEqual(["APP_URL", "DATABASE_URL", "DATA_DIR", "REDIS_URL"]);
    for (const [name, s] of [...webs, ...workers]) {
      for (const key of [...local, "STORAGE_DRIVER", "METRICS_TOKEN"]) expect(s.environment, `${name} must set ${key}`).toHaveProperty(key);
      const config = parseEnv(s.environment);
      expect(config.STORAGE_DRIVER, name).toBe("s3");
      expect(() => createStorage(config), name).not.toThrow();
      // Every service the app talks to is one of compose's own.
      for (const url of [config.DATABASE_URL, config.REDIS_URL, config.S3_ENDPOINT!]) expect(services, `${name}: ${url}`).toHaveProperty(new URL(url).hostname);
    }
  });

  it("gives web and workers the same database, Redis, key prefix and bucket", () => {
    const shared = ["DATABASE_URL", "REDIS_URL", "QUEUE_PREFIX", "STORAGE_DRIVER", "S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"];
    const pick = (s: Service) => Object.fromEntries(shared.map((key) => [key, s.environment![key]]));
    const [first, ...rest] = [...webs, ...workers];
    for (const [name, s] of rest) expect(pick(s), name).toEqual(pick(first[1]));
    const migrate = app.find(([, s]) => isMigrate(s))![1];
    expect(migrate.environment!.DATABASE_URL).toBe(first[1].environment!.DATABASE_URL);

    // The database compose creates is the one the URL names, with the same credentials.
    const db = new URL(first[1].environment!.DATABASE_URL);
    const pg = services.postgres.environment;
    expect([pg.POSTGRES_USER, pg.POSTGRES_PASSWORD, pg.POSTGRES_DB]).toEqual([db.username, db.password, db.pathname.slice(1)]);
    const minio = services.minio.environment;
    expect([minio.MINIO_ROOT_USER, minio.MINIO_ROOT_PASSWORD]).toEqual([first[1].environment!.S3_ACCESS_KEY_ID, first[1].environment!.S3_SECRET_ACCESS_KEY]);
    // The one-shot that creates the bucket creates this one.
    expect(JSON.stringify(compose.services["minio-bucket"])).toContain(`local/${first[1].environment!.S3_BUCKET}`);
  });

  it("probes what exists, and stops each process after its own grace period, not before", () => {
    expect(existsSync(path.join(ROOT, "app/api/health/route.ts"))).toBe(true);
    for (const [name, s] of webs) {
      const config = parseEnv(s.environment!);
      expect(s.healthcheck?.test.join(" "), name).toContain(`http://127.0.0.1:${config.PORT}/api/health`);
      expect(seconds(s.stop_grace_period!) * 1000, name).toBeGreaterThan(config.WEB_SHUTDOWN_GRACE_MS);
    }
    for (const [name, s] of workers) {
      const config = parseEnv(s.environment!);
      expect(config.WORKER_METRICS_PORT, name).toBeGreaterThan(0);
      expect(s.healthcheck?.test.join(" "), name).toContain(`http://127.0.0.1:${config.WORKER_METRICS_PORT}/health`);
      expect(seconds(s.stop_grace_period!) * 1000, name).toBeGreaterThan(config.WORKER_SHUTDOWN_GRACE_MS);
      expect(s.command, name).toEqual(["node", ...WORKER_NODE_FLAGS, "--import", "tsx", "worker/index.ts"]);
      // The image's ENV sets MALLOC_ARENA_MAX for every process; the rest is the worker's own.
      expect({ ...s.environment, MALLOC_ARENA_MAX: /^ENV .*\bMALLOC_ARENA_MAX=(\S+)/m.exec(read("Dockerfile"))?.[1] }, name).toMatchObject(WORKER_MALLOC_ENV);
    }
    for (const [name, s] of app.filter(([, s]) => s.command)) {
      const script = s.command!.find((part) => part.endsWith(".ts"))!;
      expect(existsSync(path.join(ROOT, script)), `${name} runs ${script}`).toBe(true);
    }
    // The proxy in front sends requests to every web process.
    const caddyfile = compose.configs?.caddyfile?.content ?? "";
    for (const [name] of webs) expect(caddyfile).toContain(`${name}:3000`);
  });

  it("gives every web process the same resumable upload folder, since the proxy may send an upload's requests to either", () => {
    // A tus upload is a POST, then PATCHes, HEADs and a GET, each possibly on another web
    // process (round robin): its bytes and info (lib/http/resumable.ts) must be on a volume
    // they all mount, or the second process answers 404 to an upload the first created.
    const shared = new Set<string>();
    for (const [name, s] of webs) {
      const dir = resumableRoot(parseEnv(s.environment!).DATA_DIR);
      const mounts = (s.volumes ?? []).map((v) => (typeof v === "string" ? { source: v.split(":")[0], target: v.split(":")[1] } : v));
      const mount = mounts.find((m) => m.target === dir || dir.startsWith(`${m.target}/`));
      expect(mount, `${name} must mount a volume at ${dir}`).toBeDefined();
      // A named volume compose declares (one for all), not a host path or an anonymous one.
      expect(Object.keys(compose.volumes ?? {}), `${name}: ${mount!.source}`).toContain(mount!.source);
      shared.add(`${mount!.source}:${path.posix.relative(mount!.target, dir)}`);
    }
    expect([...shared], "every web process's resumable folder is the same place on the same volume").toHaveLength(1);
  });

  it("runs Redis as BullMQ needs it: append-only file and noeviction", () => {
    const command = (compose.services.redis.command ?? []).join(" ");
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
  });

  it("asks only for secrets docs/deploy.md tells a person to set", () => {
    const doc = read("docs/deploy.md");
    expect([...required].sort()).toEqual(Object.keys(DOT_ENV).sort());
    for (const name of required) expect(doc, `docs/deploy.md should explain ${name}`).toContain(name);
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));

  it("builds on the Node.js major .ci/run tests on and package.json supports", () => {
    const major = /^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1];
    expect(major).toBeDefined();
    expect(dockerfile).toMatch(/^FROM node:\$\{NODE_VERSION\}-/m);
    expect(read(".ci/run")).toMatch(new RegExp(`^NODE_MAJOR=${major}$`, "m"));
    // Any other major is replaced, so CI never runs on a version it does not name.
    expect(read(".ci/run")).toContain('!= "$NODE_MAJOR" ]; then');
    const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
    expect(engines.split("||").map((range) => range.trim())).toContain(`^${major}`);
  });

  it("starts the web process with the V8 flags npm start and npm run web use", () => {
    const flags = WEB_NODE_FLAGS.map((flag) => `"${flag}"`).join(", ");
    expect(/^CMD \[(.*)\]$/m.exec(finalStage)?.[1]).toBe(`"node", ${flags}, "node_modules/next/dist/bin/next", "start", "-p", "3000"`);
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect(scripts.web).toBe(`node ${WEB_NODE_FLAGS.join(" ")} node_modules/next/dist/bin/next start`);
    expect(read("scripts/start.mjs")).toContain("[...WEB_NODE_FLAGS, \"node_modules/next/dist/bin/next\", \"start\"");
  });

  it("starts the worker with the V8 flags npm start and npm run worker use", () => {
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    const malloc = Object.entries(WORKER_MALLOC_ENV).map(([name, value]) => `${name}=\${${name}:-${value}}`);
    expect(scripts.worker).toBe(`${malloc.join(" ")} node ${WORKER_NODE_FLAGS.join(" ")} --import tsx worker/index.ts`);
    expect(read("scripts/start.mjs")).toContain('[...WORKER_NODE_FLAGS, "--import", "tsx", "worker/index.ts"]');
    expect(read("scripts/start.mjs")).toContain("...workerMallocEnv(process.env)");
    expect(read("test/processes.ts")).toContain("[...WORKER_NODE_FLAGS, ...(opts.nodeArgs ?? [])]");
  });

  it("ships ffmpeg and espeak-ng, runs as a user other than root, and starts node itself", () => {
    expect(finalStage).toMatch(/apt-get install[^\n]*\bffmpeg\b/);
    expect(finalStage).toMatch(/apt-get install[^\n]*\bespeak-ng\b/);
    const user = /^USER (\S+)$/m.exec(finalStage)?.[1];
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    expect(/^CMD \[(.*)\]$/m.exec(finalStage)?.[1]).toMatch(/^"node", /);
  });

  it("creates the folder compose mounts the shared upload volume over, owned by the user it runs as", () => {
    // A new volume takes the owner of the folder it is mounted over; a folder Docker has to
    // create for the mount is root's, and the app could not write its uploads there.
    const dataDir = /^ENV .*\bDATA_DIR=(\S+)/m.exec(finalStage)![1];
    const user = /^USER (\S+)$/m.exec(finalStage)![1];
    expect(finalStage).toMatch(new RegExp(`^RUN mkdir -p [^\\n]*${resumableRoot(dataDir)}\\s`, "m"));
    expect(finalStage).toMatch(new RegExp(`chown -R ${user}:${user} [^\\n]*${dataDir}\\s`, "m"));
  });
});
