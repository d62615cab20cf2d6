// Resumable uploads: the tus protocol (@tus/server, its file store) as a second transport
// beside multipart (lib/http/upload.ts), for big files over flaky connections. A client
// creates an upload (POST with Upload-Length), sends bytes with PATCH from the offset the
// server has, and after a dropped connection asks (HEAD) where to go on from. The bytes
// gather in DATA_DIR/tmp/resumable/<kind>/<id>; when the last one arrives, the file is
// judged by the very checks a multipart file gets (judgeFileOnDisk: sniff, size, inspect)
// and handed to the same domain function (the kind's `keep`: storage, row, job).
//
// What this adds to the protocol:
// - every request is a signed-in user's (session or bearer token with the write scope to
//   change anything; the Origin check of route()); an upload belongs to its creator, and
//   anyone else's id answers exactly like a missing one (404);
// - the type is checked as soon as the first bytes are in (a text file named .mp3 is
//   refused after 64 bytes, not after 1 GB); the size against the limit and the room left
//   in the owner's storage quota at creation;
// - a receipt: the outcome (what the multipart route would have answered, or the refusal)
//   is kept with the upload, so a client whose connection dropped on the last PATCH learns
//   it with GET <upload url> instead of uploading again;
// - expiry: an unfinished upload is collected RESUMABLE_UPLOAD_EXPIRY after it started
//   (sweepResumableUploads, run by each web process).
// Errors are this API's JSON ({ error: { message, code } }), the protocol's headers kept.
import { mkdirSync } from "node:fs";
import { open, readdir, readFile, rm, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { FileStore } from "@tus/file-store";
import { Metadata, Server, Upload } from "@tus/server";
import { quotaCheck } from "@/lib/account/usage";
import { requireUser, type SessionUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { DomainError, NotFoundError, ConflictError, RejectedInputError } from "@/lib/errors";
import { log, rootLogger } from "@/lib/log";
import { webMetrics } from "@/lib/metrics/web";
import type { ReceivedUpload } from "@/lib/media/service";
import { enforce } from "@/lib/security/rate-limit";
import { singleton } from "@/lib/singleton";
import { HttpError } from "./errors";
import { route } from "./route";
import { errorResponse } from "./status";
import { cleanFileName } from "./file-names";
import { judgeFileOnDisk, refuseHead, tooLargeMessage, type UploadPolicy } from "./upload";

/** One kind of thing uploaded resumably (photos, audio for episodes): how it is judged and kept. */
export interface ResumableKind<R> {
  /** Folder under DATA_DIR/tmp/resumable. */
  name: string;
  /** The collection's URL path, e.g. "/api/v1/media/uploads" (upload URLs are <path>/<id>). */
  path: string;
  /** The same policy the multipart route uses. */
  policy(): UploadPolicy;
  /** Client metadata passed on to `keep` as form fields (e.g. "showId"). */
  fields: readonly string[];
  /** Checks those fields when the upload is created, so a wrong one fails before any byte is sent. */
  prepare?(user: SessionUser, fields: Record<string, string>): Promise<void>;
  /** Hands the accepted file to the domain, as the multipart route does; returns what that route answers. */
  keep(user: SessionUser, upload: ReceivedUpload): Promise<R>;
}

/** The outcome kept with a finished upload: the status and JSON the client would have got. */
interface Receipt {
  status: number;
  body: unknown;
}

/** What GET <upload url> answers. */
export interface UploadStateView {
  id: string;
  /** receiving: bytes missing; finishing: all in, being checked and stored; done / refused: see result / error. */
  state: "receiving" | "finishing" | "done" | "refused";
  offset: number;
  size: number;
  /** When an unfinished upload is collected (ISO time). */
  expiresAt: string | null;
  /** done: what the multipart route answers (photos: { media }, episodes: { episodeId, status, episodes }). */
  result?: unknown;
  /** refused: the status the upload was answered with (413, 415, 422…) and why, as the API says it. */
  status?: number;
  error?: { message: string; code: string };
}

type Info = { id: string; size?: number; offset: number; metadata?: Record<string, string | null>; creation_date?: string };

const ID = /^[0-9a-f]{32}$/;
/** A finish that has not ended after this long is taken to have died with its process. */
const CLAIM_STALE_MS = 15 * 60_000;
const notFound = () => new NotFoundError("That upload");

/** Where the resumable uploads of every kind gather (on the same disk as local storage: a rename). */
export const resumableRoot = (dataDir = env().DATA_DIR) => path.join(dataDir, "tmp", "resumable");

// Each request's user, for the hooks @tus/server calls with the same Request object; and an
// error of ours raised inside those hooks, answered by route() instead of the library.
const users = new WeakMap<Request, SessionUser>();
const failures = new WeakMap<Request, unknown>();

const receiptOf = (info: Info | undefined): Receipt | null => {
  const raw = info?.metadata?.receipt;
  return raw ? (JSON.parse(raw) as Receipt) : null;
};

/** The file store, plus finished uploads whose bytes have moved to storage: all there, as far as HEAD is concerned. */
class ReceiptStore extends FileStore {
  async getUpload(id: string): Promise<Upload> {
    const info = (await this.configstore.get(id)) as Info | undefined;
    if (info && receiptOf(info)) {
      return new Upload({ id, size: info.size, offset: info.size ?? 0, metadata: info.metadata, creation_date: info.creation_date });
    }
    return super.getUpload(id);
  }
}

interface Transport {
  server: Server;
  store: ReceiptStore;
  dir: string;
}

function transport(kind: ResumableKind<unknown>): Transport {
  return singleton(`resumable-uploads:${kind.name}`, () => {
    const config = env();
    const dir = path.join(resumableRoot(config.DATA_DIR), kind.name);
    mkdirSync(dir, { recursive: true });
    const store = new ReceiptStore({ directory: dir, expirationPeriodInMilliseconds: config.RESUMABLE_UPLOAD_EXPIRY });
    const server = new Server({
      path: kind.path,
      datastore: store,
      relativeLocation: true,
      maxSize: kind.policy().limits.maxFileBytes,
      disableTerminationForFinishedUploads: true,
      // Same-origin pages and API clients only: no CORS headers.
      allowedOrigins: [],
      onUploadCreate: async (req, upload) => ({ metadata: await creationMetadata(kind, users.get(req)!, upload.metadata ?? {}) }),
      onUploadFinish: async (req, upload) => {
        await finish(kind, users.get(req)!, upload.id);
        return {};
      },
      onResponseError: async (req, err) => {
        if (isProtocolError(err)) return;
        failures.set(req as Request, err);
        return { status_code: 500, body: "" };
      },
    });
    return { server, store, dir };
  });
}

const isProtocolError = (err: unknown) =>
  typeof err === "object" && err !== null && typeof (err as { status_code?: unknown }).status_code === "number" && !(err instanceof Error);

/** The metadata kept with an upload: the file's clean name, the kind's fields, and whose it is. Nothing else the client sent. */
async function creationMetadata(kind: ResumableKind<unknown>, user: SessionUser, sent: Record<string, string | null>): Promise<Record<string, string>> {
  const fields: Record<string, string> = {};
  for (const field of kind.fields) if (sent[field]) fields[field] = sent[field]!;
  await kind.prepare?.(user, fields);
  const metadata: Record<string, string> = { filename: cleanFileName(sent.filename ?? sent.name ?? undefined), ...fields, owner: user.id };
  if (sent.filetype) metadata.filetype = sent.filetype.slice(0, 100);
  return metadata;
}

function fieldsOf(kind: ResumableKind<unknown>, info: Info): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const field of kind.fields) if (info.metadata?.[field]) fields[field] = info.metadata[field]!;
  return fields;
}

// ---------------------------------------------------------------- finishing

/** Takes the right to finish an upload (one request, in any process sharing the folder). */
async function claim(file: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await (await open(file, "wx")).close();
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const since = await stat(file).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (since < CLAIM_STALE_MS) return false;
      await unlink(file).catch(() => {});
    }
  }
  return false;
}

async function writeReceipt(t: Transport, info: Info, receipt: Receipt): Promise<void> {
  await t.store.configstore.set(info.id, { ...info, metadata: { ...info.metadata, receipt: JSON.stringify(receipt) } } as never);
}

/** The receipt of an error that will not change on a second try (a refusal, a show that is gone); null otherwise. */
async function lastingRefusal(err: unknown): Promise<Receipt | null> {
  if (!(err instanceof DomainError) && !(err instanceof HttpError)) return null;
  const answer = errorResponse(err);
  return answer.status < 500 && answer.status !== 429 ? { status: answer.status, body: await answer.json() } : null;
}

/**
 * All bytes are in: judge the file like a multipart one, hand it to the domain, keep the
 * outcome. Runs once per upload (the claim); an error worth retrying (the queue is down)
 * leaves the file and no receipt, so the next GET tries again.
 */
async function finish(kind: ResumableKind<unknown>, user: SessionUser, id: string): Promise<void> {
  const t = transport(kind);
  const dataPath = path.join(t.dir, id);
  const claimPath = `${dataPath}.claim`;
  if (!(await claim(claimPath))) return;
  try {
    const info = (await t.store.configstore.get(id)) as Info | undefined;
    if (!info || receiptOf(info)) return;
    const policy = kind.policy();
    const started = performance.now();
    const verdict = await judgeFileOnDisk(dataPath, info.metadata?.filename ?? undefined, policy);
    const line = { upload: id, kind: kind.name, bytes: info.size };
    try {
      if ("rejection" in verdict) throw new RejectedInputError(verdict.rejection.reason, verdict.rejection.error);
      const body = await kind.keep(user, { accepted: [verdict.file], rejected: [], fields: fieldsOf(kind, info) });
      await writeReceipt(t, info, { status: 200, body });
      log().info({ ...line, ms: Math.round(performance.now() - started) }, "resumable upload accepted");
    } catch (err) {
      const refusal = await lastingRefusal(err);
      if (refusal) await writeReceipt(t, info, refusal);
      log().info({ ...line, status: refusal?.status ?? null }, refusal ? "resumable upload refused" : "resumable upload not finished; the next request retries");
      throw err;
    } finally {
      // Stored (moved) or refused: either way the bytes are not needed here any more —
      // unless the error is worth a retry and there is no receipt yet.
      if (receiptOf((await t.store.configstore.get(id)) as Info | undefined)) await unlink(dataPath).catch(() => {});
    }
  } finally {
    await unlink(claimPath).catch(() => {});
  }
}

// ---------------------------------------------------------------- the HTTP side

/** tus errors (text/plain) in this API's words and shape, with the protocol's headers kept. */
async function asApiError(response: Response, kind: ResumableKind<unknown>): Promise<Response> {
  const text = (await response.text()).trim();
  const hours = Math.round((env().RESUMABLE_UPLOAD_EXPIRY / 3_600_000) * 10) / 10;
  const known: Record<number, [string, string]> = {
    409: ["offset_mismatch", "The server has a different part of this upload: ask it where to go on from (HEAD) and send from there."],
    410: ["upload_expired", `This upload has expired (unfinished uploads are kept ${hours} hours). Start it again.`],
    412: ["tus_resumable_required", "This is a resumable upload address: send the header Tus-Resumable: 1.0.0."],
    413: ["too_large", tooLargeMessage("This file", kind.policy().limits)],
  };
  const [code, message] = known[response.status] ?? [`upload_${response.status}`, text || "The upload could not be handled."];
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify({ error: { message, code } }), { status: response.status, headers });
}

async function viaTus(kind: ResumableKind<unknown>, request: Request, user: SessionUser): Promise<Response> {
  users.set(request, user);
  const response = await transport(kind).server.handleWeb(request);
  if (failures.has(request)) throw failures.get(request);
  return response.status >= 400 ? asApiError(response, kind) : response;
}

/** The same request, its body counted into the upload-bytes metric as it streams in (as the multipart path counts its bytes). */
function countingBody(request: Request): Request {
  if (!request.body) return request;
  const uploadBytes = webMetrics().uploadBytes;
  const body = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        uploadBytes.inc(chunk.byteLength);
        out.enqueue(chunk);
      },
    }),
  );
  return new Request(request, { body, duplex: "half" } as RequestInit);
}

/** The upload's stored info when it is this user's; 404 otherwise (someone else's looks missing). */
async function ownedInfo(kind: ResumableKind<unknown>, user: SessionUser, id: string): Promise<Info> {
  if (!ID.test(id)) throw notFound();
  const info = (await transport(kind).store.configstore.get(id)) as Info | undefined;
  if (!info || info.metadata?.owner !== user.id) throw notFound();
  return info;
}

/** Refuses an upload whose first bytes are not the kind it takes, as soon as they are in. */
async function checkHead(kind: ResumableKind<unknown>, id: string): Promise<void> {
  const t = transport(kind);
  const info = (await t.store.configstore.get(id)) as Info | undefined;
  if (!info || info.metadata?.headChecked || receiptOf(info)) return;
  const policy = kind.policy();
  const need = Math.min(policy.accept.sniffBytes, info.size ?? Infinity);
  const dataPath = path.join(t.dir, id);
  const have = await stat(dataPath).then((s) => s.size, () => 0);
  if (have < need || need === 0) return;
  const handle = await open(dataPath, "r");
  const head = Buffer.alloc(need);
  try {
    await handle.read(head, 0, need, 0);
  } finally {
    await handle.close();
  }
  const refusal = refuseHead(info.metadata?.filename ?? undefined, head, policy.accept);
  if (!refusal) {
    await t.store.configstore.set(id, { ...info, metadata: { ...info.metadata, headChecked: "1" } } as never);
    return;
  }
  const err = new RejectedInputError(refusal.reason, refusal.error);
  await writeReceipt(t, info, (await lastingRefusal(err))!);
  await unlink(dataPath).catch(() => {});
  throw err;
}

async function stateOf(kind: ResumableKind<unknown>, user: SessionUser, info: Info): Promise<UploadStateView> {
  const t = transport(kind);
  const size = info.size ?? 0;
  const created = info.creation_date ? Date.parse(info.creation_date) : NaN;
  const expiresAt = Number.isFinite(created) ? new Date(created + env().RESUMABLE_UPLOAD_EXPIRY).toISOString() : null;
  const base = { id: info.id, size, expiresAt };
  const receipt = receiptOf(info);
  if (receipt) {
    return receipt.status < 300
      ? { ...base, state: "done", offset: size, result: receipt.body }
      : { ...base, state: "refused", offset: size, status: receipt.status, error: (receipt.body as { error: { message: string; code: string } }).error };
  }
  const dataPath = path.join(t.dir, info.id);
  const offset = await stat(dataPath).then((s) => s.size, () => 0);
  if (offset < size) return { ...base, state: "receiving", offset };
  // All bytes are in but no outcome: being finished now, or the process finishing it died.
  const claimed = await stat(`${dataPath}.claim`).then((s) => Date.now() - s.mtimeMs < CLAIM_STALE_MS, () => false);
  if (claimed) return { ...base, state: "finishing", offset };
  await finish(kind, user, info.id).catch(async (err) => {
    if (!(await lastingRefusal(err))) throw err;
  });
  const after = (await t.store.configstore.get(info.id)) as Info | undefined;
  if (!after) throw notFound();
  return receiptOf(after) ? stateOf(kind, user, after) : { ...base, state: "finishing", offset };
}

/**
 * Creation: the declared size must be known, within the limit and within the room left in
 * the owner's storage quota, all before any byte is sent — a person over the quota is told
 * at once, not after uploading the whole file. The quota is checked again when the file is
 * kept (claimQuota, with the row), since other uploads may take the room meanwhile.
 */
async function checkCreation(request: Request, kind: ResumableKind<unknown>, user: SessionUser): Promise<void> {
  const length = request.headers.get("upload-length");
  if (length === null || request.headers.get("upload-defer-length") !== null) {
    throw new HttpError(400, "Send the file's size in Upload-Length: a resumable upload needs it up front.", "length_required");
  }
  if (!/^\d{1,16}$/.test(length)) throw new HttpError(400, "Upload-Length must be the file's size in bytes.", "bad_length");
  const bytes = Number(length);
  const limits = kind.policy().limits;
  if (bytes > limits.maxFileBytes) throw new RejectedInputError("too_large", tooLargeMessage(declaredName(request), limits));
  const overQuota = (await quotaCheck(db(), user.id, env().USER_STORAGE_QUOTA_BYTES))(declaredName(request), bytes);
  if (overQuota) throw overQuota;
}

/** The file's name as the client declared it (Upload-Metadata), for a refusal's sentence; "This file" when it sent none. */
function declaredName(request: Request): string {
  try {
    const sent = Metadata.parse(request.headers.get("upload-metadata") ?? undefined);
    return cleanFileName(sent?.filename ?? sent?.name ?? undefined, "This file");
  } catch {
    // The library answers malformed metadata itself.
    return "This file";
  }
}

type ItemContext = { params: Promise<{ uploadId: string }> };

/** POST <path>: create an upload (tus creation). Rate-limited like multipart uploads. */
export function resumableCollectionRoutes(kind: ResumableKind<unknown>) {
  return {
    POST: route(async (request) => {
      const user = await requireUser(request);
      await enforce("upload-user", user.id, env().RATE_LIMIT_UPLOAD_USER, "Too many uploads in a short time.");
      await checkCreation(request, kind, user);
      return viaTus(kind, request, user);
    }),
  };
}

/** HEAD/PATCH/DELETE <path>/<id> (tus); GET: the upload's state and, once finished, its outcome. */
export function resumableItemRoutes(kind: ResumableKind<unknown>) {
  const item = (handle: (request: Request, user: SessionUser, info: Info) => Promise<Response>) =>
    route(async (request: Request, context: ItemContext) => {
      const user = await requireUser(request);
      const info = await ownedInfo(kind, user, (await context.params).uploadId);
      return handle(request, user, info);
    });
  return {
    GET: item(async (_request, user, info) => Response.json(await stateOf(kind, user, info), { headers: { "Cache-Control": "no-store" } })),
    HEAD: item((request, user) => viaTus(kind, request, user)),
    PATCH: item(async (request, user, info) => {
      if (receiptOf(info)) throw new ConflictError("upload_finished", "This upload is already complete: GET its address for the outcome.");
      const response = await viaTus(kind, countingBody(request), user);
      if (response.ok) await checkHead(kind, info.id);
      return response;
    }),
    DELETE: item((request, user) => viaTus(kind, request, user)),
  };
}

// ---------------------------------------------------------------- expiry

/**
 * Removes uploads started more than `expiryMs` ago: unfinished ones (their bytes), finished
 * ones' receipts, and anything a crash left half-made. Safe to run from several processes
 * at once. Returns how many uploads were removed.
 */
export async function sweepResumableUploads(root: string, expiryMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  const kinds = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const kindDir of kinds) {
    if (!kindDir.isDirectory()) continue;
    const dir = path.join(root, kindDir.name);
    const names = await readdir(dir).catch(() => [] as string[]);
    const ids = new Set(names.map((n) => n.replace(/\.(json|claim)$/, "")).filter((id) => ID.test(id)));
    for (const id of ids) {
      const file = path.join(dir, id);
      let started = NaN;
      try {
        started = Date.parse((JSON.parse(await readFile(`${file}.json`, "utf8")) as Info).creation_date ?? "");
      } catch {
        // No readable info: judge by the files' own age.
      }
      if (!Number.isFinite(started)) {
        const times = await Promise.all([file, `${file}.json`, `${file}.claim`].map((f) => stat(f).then((s) => s.mtimeMs, () => NaN)));
        started = Math.max(...times.filter(Number.isFinite));
      }
      if (!Number.isFinite(started) || now - started <= expiryMs) continue;
      await Promise.all([file, `${file}.json`, `${file}.claim`].map((f) => rm(f, { force: true })));
      removed += 1;
    }
  }
  return removed;
}

/** Sweeps now, then every quarter of the expiry (at most hourly), for as long as this web process runs. */
export function scheduleResumableSweep(): void {
  const config = env();
  const logger = rootLogger().child({ component: "web" });
  const sweep = () =>
    sweepResumableUploads(resumableRoot(config.DATA_DIR), config.RESUMABLE_UPLOAD_EXPIRY)
      .then((removed) => removed > 0 && logger.info({ removed }, "removed expired resumable uploads"))
      .catch((err: Error) => logger.warn({ err: err.message }, "resumable upload sweep failed"));
  void sweep();
  setInterval(sweep, Math.max(1_000, Math.min(config.RESUMABLE_UPLOAD_EXPIRY / 4, 3_600_000))).unref();
}
