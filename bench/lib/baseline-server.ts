// The same-run baseline for the HTTP scenarios: a bare node:http server doing the same
// I/O as the app's routes with no framework — busboy → sha256 → temp file → rename, one
// INSERT and one BullMQ add per upload (audio: no INSERT, no sniff); a session lookup and
// one SELECT per status read (one photo, or `?ids=`); one Redis XREAD loop fanning events out to raw SSE
// responses; for AI jobs a bearer-token lookup, then one INSERT and one BullMQ add per
// create and one SELECT per read; for a podcast feed one SELECT of the show by its token,
// then the stored XML (read from disk and hashed, or kept in memory per version) with an
// ETag and 304; for resumable uploads the bare tus server (@tus/server with its file
// store, under /tus/: no session, no sniffing, no storage move). It is what the work costs
// with nothing on top, so the app's figures can be read as a ratio of it.
// Reads the same environment as the app (DATABASE_URL, DATABASE_SCHEMA, REDIS_URL,
// QUEUE_PREFIX, DATA_DIR) plus BASELINE_PORT.
import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { gzipSync } from "node:zlib";
import { Queue } from "bullmq";
import busboy from "busboy";
import { FileStore } from "@tus/file-store";
import { Server as TusServer } from "@tus/server";
import { Redis } from "ioredis";
import pg from "pg";
import { mediaColumns } from "./media-columns";

const port = Number(process.env.BASELINE_PORT ?? 3501);
const prefix = process.env.QUEUE_PREFIX!;
const dataDir = process.env.DATA_DIR!;
const schema = process.env.DATABASE_SCHEMA ?? "public";
const redisUrl = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10, options: `-c search_path="${schema}"` });
const queue = new Queue("baseline-analysis", {
  prefix,
  connection: { host: redisUrl.hostname, port: Number(redisUrl.port || 6379), maxRetriesPerRequest: 1 },
});
const aiQueue = new Queue("baseline-ai-jobs", {
  prefix,
  connection: { host: redisUrl.hostname, port: Number(redisUrl.port || 6379), maxRetriesPerRequest: 1 },
});
const baseDir = path.join(dataDir, "baseline");

async function userFor(req: http.IncomingMessage): Promise<string | null> {
  const token = /(?:^|;\s*)fc_session=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
  if (!token) return null;
  const id = createHash("sha256").update(decodeURIComponent(token)).digest("hex");
  const { rows } = await pool.query(
    `SELECT u.id FROM "Session" s JOIN "User" u ON u.id = s."userId" WHERE s.id = $1 AND s."expiresAt" > now()`,
    [id],
  );
  return rows[0]?.id ?? null;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

async function upload(req: http.IncomingMessage, res: http.ServerResponse, owner: string) {
  await mkdir(path.join(baseDir, "tmp"), { recursive: true });
  const files: Promise<{ name: string; tmp: string; size: number; sha256: string }>[] = [];
  const parser = busboy({ headers: req.headers });
  parser.on("file", (_field, file, info) => {
    const tmp = path.join(baseDir, "tmp", randomUUID());
    const hash = createHash("sha256");
    let size = 0;
    let head: Buffer | null = null;
    const inspect = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        hash.update(chunk);
        head ??= chunk.subarray(0, 3);
        done(null, chunk);
      },
    });
    const written = pipeline(file, inspect, createWriteStream(tmp)).then(() => {
      if (!head || head[0] !== 0xff || head[1] !== 0xd8) throw new Error("not a JPEG");
      return { name: info.filename ?? "photo", tmp, size, sha256: hash.digest("hex") };
    });
    written.catch(() => {}); // an aborted request is reported by the request pipeline
    files.push(written);
  });
  await pipeline(req, parser);
  const media = [];
  for (const f of await Promise.all(files)) {
    const key = `originals/${randomUUID()}`;
    await mkdir(path.join(baseDir, "originals"), { recursive: true });
    await rename(f.tmp, path.join(baseDir, key));
    const { rows } = await pool.query(
      `INSERT INTO "Media" (id, "ownerId", "originalName", mime, size, sha256, "storageKey", status, "updatedAt")
       VALUES ($1, $2, $3, 'image/jpeg', $4, $5, $6, 'queued', now()) RETURNING id, "originalName" AS name, status, version`,
      [randomUUID(), owner, f.name, f.size, f.sha256, `baseline/${key}`],
    );
    await queue.add("analyze-media", { mediaId: rows[0].id }, { jobId: `analyze-${rows[0].id}`, removeOnComplete: true });
    media.push(rows[0]);
  }
  json(res, 202, { media, rejected: [] });
}

/** Audio upload: busboy → sha256 → temp file → rename, nothing sniffed, nothing recorded. */
async function uploadAudio(req: http.IncomingMessage, res: http.ServerResponse) {
  await mkdir(path.join(baseDir, "tmp"), { recursive: true });
  await mkdir(path.join(baseDir, "audio"), { recursive: true });
  const files: Promise<{ tmp: string; size: number; sha256: string }>[] = [];
  const parser = busboy({ headers: req.headers, limits: { fileSize: 2 * 1024 ** 3 } });
  parser.on("file", (_field, file) => {
    const tmp = path.join(baseDir, "tmp", randomUUID());
    const hash = createHash("sha256");
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const written = pipeline(file, count, createWriteStream(tmp)).then(() => ({ tmp, size, sha256: hash.digest("hex") }));
    written.catch(() => {});
    files.push(written);
  });
  await pipeline(req, parser);
  const stored = [];
  for (const f of await Promise.all(files)) {
    const id = randomUUID();
    await rename(f.tmp, path.join(baseDir, "audio", id));
    stored.push({ episodeId: id, size: f.size, sha256: f.sha256 });
  }
  // The copies are not needed afterwards; large ones would only fill the disk.
  await Promise.all(stored.map((s) => rm(path.join(baseDir, "audio", s.episodeId), { force: true })));
  json(res, 202, { episodes: stored.map((s) => ({ episodeId: s.episodeId, status: "processing" })) });
}

/** A bearer token's owner, as the app's API-token check reads it (one SELECT by the token's hash). */
async function tokenOwner(req: http.IncomingMessage): Promise<{ userId: string; tokenId: string } | null> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
  if (!token) return null;
  const { rows } = await pool.query(
    `SELECT t.id, t."userId" FROM "ApiToken" t JOIN "User" u ON u.id = t."userId" WHERE t."tokenHash" = $1 AND t."revokedAt" IS NULL`,
    [createHash("sha256").update(token).digest("hex")],
  );
  return rows[0] ? { userId: rows[0].userId, tokenId: rows[0].id } : null;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** POST /jobs: one INSERT of the Job row and one BullMQ add, as the app's create does at least. */
async function createJob(req: http.IncomingMessage, res: http.ServerResponse, owner: { userId: string; tokenId: string }) {
  const body = JSON.parse(await readBody(req)) as { type?: unknown; payload?: unknown; priority?: unknown };
  if (typeof body.type !== "string" || typeof body.payload !== "object" || body.payload === null) {
    return json(res, 422, { error: { message: "type and payload are required" } });
  }
  const id = randomUUID();
  const priority = typeof body.priority === "number" ? body.priority : 7;
  await pool.query(
    `INSERT INTO "Job" (id, "ownerId", "tokenId", type, priority, payload, "updatedAt") VALUES ($1, $2, $3, $4, $5, $6, now())`,
    [id, owner.userId, owner.tokenId, body.type, priority, JSON.stringify(body.payload)],
  );
  await aiQueue.add("ai-job", { jobId: id }, { jobId: `ai-${id}`, priority: 11 - priority, removeOnComplete: true });
  res.writeHead(202, { "content-type": "application/json", location: `/jobs/${id}` });
  res.end(JSON.stringify({ job_id: id, status: "queued" }));
}

async function readJob(res: http.ServerResponse, owner: { userId: string }, id: string) {
  const { rows } = await pool.query(`SELECT * FROM "Job" WHERE id = $1 AND "ownerId" = $2`, [id, owner.userId]);
  if (!rows[0]) return json(res, 404, { error: { message: "not found" } });
  json(res, 200, rows[0]);
}

/** A show's stored feed XML of one version, by show id (what the app's feed cache holds). */
const feeds = new Map<string, { version: number; etag: string; lastModified: Date; body: Buffer; gzip?: Buffer }>();

/**
 * GET /feed/:token: the stored feed of the show's current version, kept in memory per
 * version (the app's cached path); with ?nocache=1 read from disk and hashed every time
 * (the app's first request after a change). If-None-Match → 304. A client that accepts gzip
 * gets a copy compressed once per version (cached path only).
 */
async function feed(req: http.IncomingMessage, res: http.ServerResponse, token: string, cached: boolean) {
  const { rows } = await pool.query(`SELECT id, "feedVersion", "feedUpdatedAt" FROM "Show" WHERE "feedToken" = $1`, [token]);
  const show = rows[0] as { id: string; feedVersion: number; feedUpdatedAt: Date } | undefined;
  if (!show || show.feedVersion < 1) return json(res, 404, { error: { message: "not found" } });
  let entry = cached ? feeds.get(show.id) : undefined;
  if (!entry || entry.version !== show.feedVersion) {
    const body = await readFile(path.join(dataDir, "objects", "podcasts", show.id, "feed", `v${show.feedVersion}.xml`));
    const hash = createHash("sha256").update(body).digest("base64url").slice(0, 16);
    entry = { version: show.feedVersion, etag: `"${show.feedVersion}-${hash}"`, lastModified: show.feedUpdatedAt, body };
    if (cached) feeds.set(show.id, entry);
  }
  const headers = { etag: entry.etag, "last-modified": entry.lastModified.toUTCString(), "cache-control": "public, no-cache" };
  if (req.headers["if-none-match"] === entry.etag) {
    res.writeHead(304, headers);
    return res.end();
  }
  if (cached && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
    entry.gzip ??= gzipSync(entry.body);
    res.writeHead(200, { ...headers, "content-type": "application/rss+xml; charset=utf-8", "content-encoding": "gzip", vary: "Accept-Encoding", "content-length": entry.gzip.length });
    return res.end(entry.gzip);
  }
  res.writeHead(200, { ...headers, "content-type": "application/rss+xml; charset=utf-8", "content-length": entry.body.length });
  res.end(entry.body);
}

async function status(res: http.ServerResponse, owner: string, id: string) {
  const { rows } = await pool.query(
    `SELECT ${mediaColumns("m.")}, row_to_json(a) AS analysis FROM "Media" m LEFT JOIN "Analysis" a ON a.sha256 = m."analysisSha"
     WHERE m.id = $1 AND m."ownerId" = $2`,
    [id, owner],
  );
  if (!rows[0]) return json(res, 404, { error: { message: "not found" } });
  json(res, 200, rows[0]);
}

/**
 * The owner's photos among `ids`: one SELECT by primary key, the owner checked in code, as
 * the app does (lib/db.ts keepOwned: with `"ownerId" = $1 AND id = ANY(…)` Postgres may
 * read every photo of the owner when its statistics are stale).
 */
async function ownedPhotos(owner: string, ids: string[]): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query(`SELECT ${mediaColumns()} FROM "Media" WHERE id = ANY($1::uuid[])`, [ids]);
  return rows.filter((row) => row.ownerId === owner);
}

/** The polling fallback (`?ids=`): the owner's photos among those ids. */
async function statusOf(res: http.ServerResponse, owner: string, ids: string[]) {
  json(res, 200, { media: await ownedPhotos(owner, ids) });
}

// One blocking connection reads the event stream for the whole process, as the app's hub does.
const listeners = new Map<string, Set<(data: string, id: string) => void>>();
let reading: Promise<void> | null = null;
function startReading() {
  reading ??= (async () => {
    const redis = new Redis(redisUrl.toString(), { maxRetriesPerRequest: null, connectionName: "framecast:baseline-subscribe" });
    const key = `${prefix}:events`;
    let lastId = (await redis.xrevrange(key, "+", "-", "COUNT", 1))[0]?.[0] ?? "0-0";
    for (;;) {
      const reply = await redis.xread("COUNT", 500, "BLOCK", 5_000, "STREAMS", key, lastId);
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          lastId = id;
          const event = JSON.parse(fields[1]) as { ownerId: string; id: string; view: unknown };
          const data = JSON.stringify(event.view);
          for (const l of listeners.get(event.id) ?? []) l(data, id);
        }
      }
    }
  })();
}

async function stream(req: http.IncomingMessage, res: http.ServerResponse, owner: string, ids: string[]) {
  startReading();
  const rows = await ownedPhotos(owner, ids);
  if (rows.length !== ids.length) return json(res, 404, { error: { message: "not found" } });
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write("retry: 3000\n\n");
  for (const row of rows) res.write(`event: media\ndata: ${JSON.stringify({ id: row.id, status: row.status, version: row.version })}\n\n`);
  const listener = (data: string, id: string) => res.write(`event: media\nid: ${id}\ndata: ${data}\n\n`);
  for (const id of ids) {
    if (!listeners.has(id)) listeners.set(id, new Set());
    listeners.get(id)!.add(listener);
  }
  req.on("close", () => {
    for (const id of ids) listeners.get(id)?.delete(listener);
  });
}

const tus = new TusServer({ path: "/tus", datastore: new FileStore({ directory: path.join(dataDir, "bare-tus") }), relativeLocation: true });

const server = http.createServer((req, res) => {
  (async () => {
    const url = new URL(req.url ?? "/", "http://localhost");
    // Resumable uploads, bare: the tus server alone.
    if (url.pathname === "/tus" || url.pathname.startsWith("/tus/")) return tus.handle(req, res);
    // The floor: no session, no query (the app's /api/health).
    if (req.method === "GET" && url.pathname === "/health") return json(res, 200, { status: "ok", uptimeSeconds: Math.round(process.uptime()) });
    // Public: the feed token is the permission.
    const feedMatch = /^\/feed\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (req.method === "GET" && feedMatch) return feed(req, res, feedMatch[1], url.searchParams.get("nocache") !== "1");
    // AI jobs: bearer tokens.
    if (url.pathname.startsWith("/jobs")) {
      const bearer = await tokenOwner(req);
      if (!bearer) return json(res, 401, { error: { message: "bad token" } });
      if (req.method === "POST" && url.pathname === "/jobs") return createJob(req, res, bearer);
      const job = /^\/jobs\/([0-9a-f-]{36})$/.exec(url.pathname);
      if (req.method === "GET" && job) return readJob(res, bearer, job[1]);
      return json(res, 404, { error: { message: "no such route" } });
    }
    const owner = await userFor(req);
    if (!owner) return json(res, 401, { error: { message: "sign in" } });
    if (req.method === "POST" && url.pathname === "/upload") return upload(req, res, owner);
    if (req.method === "POST" && url.pathname === "/upload-audio") return uploadAudio(req, res);
    const m = /^\/status\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (req.method === "GET" && m) return status(res, owner, m[1]);
    if (req.method === "GET" && url.pathname === "/status") return statusOf(res, owner, (url.searchParams.get("ids") ?? "").split(","));
    if (req.method === "GET" && url.pathname === "/stream") return stream(req, res, owner, (url.searchParams.get("ids") ?? "").split(","));
    json(res, 404, { error: { message: "no such route" } });
  })().catch((err) => {
    console.error("[baseline]", err);
    if (!res.headersSent) json(res, 500, { error: { message: "failed" } });
    else res.destroy();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => console.log(`baseline listening on ${port}`));
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close();
  void Promise.allSettled([pool.end(), queue.close(), aiQueue.close()]).then(() => process.exit(0));
});
