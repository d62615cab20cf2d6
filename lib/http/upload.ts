// Receives a multipart upload without holding whole files in memory: each file streams
// through a hashing, size-counting, type-sniffing pass straight into a temp file. What a
// file must be is the caller's Acceptance (photos: lib/media; audio: lib/podcasts): it is
// decided from the first bytes, never from the name or the claimed Content-Type. Only files
// that pass every check are handed on (to the domain's service, which decides what to
// keep); everything else is deleted at once. A request it cannot read is a 400.
// The resumable transport (lib/http/resumable.ts, tus) hands its finished files to the
// same judgement (`judgeFileOnDisk`): one acceptance, two transports.
import { createHash, randomUUID } from "node:crypto";
import { close, createReadStream, createWriteStream, open, write, writev } from "node:fs";
import { unlink } from "node:fs/promises";
import { callbackify, promisify } from "node:util";
import path from "node:path";
import { Transform, Writable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import { RejectedInputError } from "@/lib/errors";
import type { ReceivedFile, ReceivedUpload, RejectedFile } from "@/lib/media/service";
import { webMetrics } from "@/lib/metrics/web";
import { inDirectory } from "@/lib/storage/in-directory";
import { HttpError } from "./errors";
import { cleanFileName } from "./file-names";
import { bodyStream } from "./request-body";

/** What kind of file an upload takes, decided from each file's first bytes. */
export interface Acceptance {
  /** Leading bytes `sniff` needs. */
  sniffBytes: number;
  /** The file's type, or null when it is not the kind this upload takes. */
  sniff(head: Uint8Array): { mime: string; ext?: string } | null;
  /** The sentence for a file that is not: names the file and what it looks like. */
  refusal(name: string, head: Uint8Array): string;
  /** What the files are called in messages: "photos", "audio files". */
  plural: string;
  /** The form field the page sends them in (named in the "no files" message). */
  field: string;
}

export interface UploadLimits {
  maxFileBytes: number;
  maxRequestBytes: number;
  maxFiles: number;
}

/**
 * A further check of a file that passed sniffing and the size limit, run on its temp file
 * (e.g. reading the image header for its pixel and frame counts), with its first
 * `inspectBytes` bytes at hand (fewer if the file is smaller). Returns null to accept, or
 * why the file is refused.
 */
export type Inspect = (file: { tempPath: string; mime: string; head: Buffer }) => Promise<RejectedInputError | null>;

export interface UploadPolicy {
  /** Where files wait until they are stored (on the same disk as local storage: a rename). */
  tempDir: string;
  limits: UploadLimits;
  accept: Acceptance;
  inspect?: Inspect;
  /** How many leading bytes `inspect` is handed (kept in memory while the file streams in). */
  inspectBytes?: number;
}

/** How many files past the limit are still named, one rejection each, in the answer. */
export const NAMED_EXTRA_FILES = 100;

const MB = 1024 * 1024;
export const formatMb = (bytes: number) => `${Math.round((bytes / MB) * 10) / 10} MB`;

/** The sentence for a file over the size limit (both transports say the same). */
export const tooLargeMessage = (name: string, limits: Pick<UploadLimits, "maxFileBytes">) =>
  `${name} is larger than the ${formatMb(limits.maxFileBytes)} limit.`;

class NotAccepted extends Error {}

/**
 * Hashes, counts and sniffs bytes as they pass; fails as soon as the head is not acceptable.
 * Keeps the first `keep` bytes (at least what sniffing needs) for the checks after it.
 */
class Inspector extends Transform {
  readonly hash = createHash("sha256");
  size = 0;
  mime: string | null = null;
  ext: string | undefined;
  private readonly keep: number;
  private readonly kept: Buffer[] = [];
  private keptLength = 0;

  constructor(
    private readonly accept: Acceptance,
    inspectBytes = 0,
  ) {
    super();
    this.keep = Math.max(accept.sniffBytes, inspectBytes);
  }

  _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    this.size += chunk.length;
    this.hash.update(chunk);
    if (this.keptLength < this.keep) {
      const part = chunk.subarray(0, this.keep - this.keptLength);
      this.kept.push(part);
      this.keptLength += part.length;
    }
    if (!this.mime && this.keptLength >= this.accept.sniffBytes && !this.check()) return done(new NotAccepted());
    done(null, chunk);
  }

  _flush(done: TransformCallback) {
    if (!this.mime && !this.check()) return done(new NotAccepted());
    done();
  }

  private check(): boolean {
    const sniffed = this.accept.sniff(this.sniffHead);
    this.mime = sniffed?.mime ?? null;
    this.ext = sniffed?.ext;
    return this.mime !== null;
  }

  /** The leading bytes sniffing looks at (and a refusal describes). */
  get sniffHead(): Buffer {
    return this.headBytes.subarray(0, this.accept.sniffBytes);
  }

  /** The kept leading bytes (one buffer from then on). */
  get headBytes(): Buffer {
    if (this.kept.length > 1) this.kept.splice(0, this.kept.length, Buffer.concat(this.kept, this.keptLength));
    return this.kept[0] ?? Buffer.alloc(0);
  }
}

/** One file's verdict: accepted (in its temp file) or refused, and why. */
export type Outcome = { file: ReceivedFile } | { rejection: RejectedFile };

/**
 * The checks after a file's bytes went through an Inspector (which sniffed, hashed and
 * counted them): the size limit, then the policy's own inspection. A refused file is
 * deleted. Both transports end here.
 */
async function judge(name: string, tempPath: string, inspector: Inspector, truncated: boolean, { limits, inspect }: Pick<UploadPolicy, "limits" | "inspect">): Promise<Outcome> {
  if (truncated || inspector.size > limits.maxFileBytes) {
    await unlink(tempPath).catch(() => {});
    return { rejection: { name, reason: "too_large", error: tooLargeMessage(name, limits) } };
  }
  const refusal = await inspect?.({ tempPath, mime: inspector.mime!, head: inspector.headBytes });
  if (refusal) {
    await unlink(tempPath).catch(() => {});
    return { rejection: { name, reason: refusal.reason, error: `${name}: ${refusal.message}` } };
  }
  const received: ReceivedFile = { name, tempPath, size: inspector.size, sha256: inspector.hash.digest("hex"), mime: inspector.mime! };
  if (inspector.ext) received.ext = inspector.ext;
  return { file: received };
}

/**
 * Judges a whole file already on disk (a finished resumable upload) exactly as a file of a
 * multipart upload: read once through the same Inspector (sniff, hash, count, in constant
 * memory), then the same checks. A refused file is deleted; an accepted one stays where it
 * is, for the domain's service to move into storage.
 */
export async function judgeFileOnDisk(tempPath: string, rawName: string | undefined, policy: Pick<UploadPolicy, "limits" | "accept" | "inspect" | "inspectBytes">): Promise<Outcome> {
  const name = cleanFileName(rawName);
  const inspector = new Inspector(policy.accept, policy.inspectBytes);
  const drain = new Writable({ write: (_chunk, _enc, done) => done() });
  try {
    await pipeline(createReadStream(tempPath), inspector, drain);
  } catch (err) {
    if (!(err instanceof NotAccepted)) throw err;
    await unlink(tempPath).catch(() => {});
    return { rejection: { name, reason: "wrong_type", error: policy.accept.refusal(name, inspector.sniffHead) } };
  }
  return judge(name, tempPath, inspector, false, policy);
}

/**
 * The type check alone, on a file's first bytes: lets a resumable upload be refused as soon
 * as its head has arrived instead of after the whole file. Null when the head is fine.
 */
export function refuseHead(rawName: string | undefined, head: Uint8Array, accept: Acceptance): RejectedFile | null {
  if (accept.sniff(head)) return null;
  const name = cleanFileName(rawName);
  return { name, reason: "wrong_type", error: accept.refusal(name, head) };
}

/**
 * Reads the upload, hands the files to `keep`, then deletes whatever temp files `keep` did
 * not move into storage (also when it throws).
 */
export async function withUpload<T>(request: Request, policy: UploadPolicy, keep: (upload: ReceivedUpload) => Promise<T>): Promise<T> {
  const upload = await receiveUpload(request, policy);
  try {
    return await keep(upload);
  } finally {
    await discard(upload.accepted);
  }
}

async function receiveUpload(request: Request, { tempDir, limits, accept, inspect, inspectBytes }: UploadPolicy): Promise<ReceivedUpload> {
  const contentType = request.headers.get("content-type") ?? "";
  const body = contentType.toLowerCase().startsWith("multipart/form-data") ? bodyStream(request) : null;
  if (!body) {
    throw new RejectedInputError("wrong_type", `Send ${accept.plural} as multipart/form-data, in a field named "${accept.field}".`);
  }
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limits.maxRequestBytes) {
    throw new RejectedInputError("too_large", `This upload is ${formatMb(declared)}; one request may carry at most ${formatMb(limits.maxRequestBytes)}.`);
  }

  // One outcome per file, in the order the files were sent (they finish in any order).
  const work: Promise<Outcome>[] = [];
  let tooManyFiles = false;
  let fileCount = 0;
  // Text fields sent beside the files (e.g. which show an episode goes to).
  const fields: Record<string, string> = {};

  const parser = busboy({
    headers: { "content-type": contentType },
    // Browsers send file names as raw UTF-8 bytes; busboy's default (latin1) garbles them.
    defParamCharset: "utf8",
    // The name as sent: busboy would otherwise keep only what follows the last "/" or "\"
    // (`<script>alert(1)</script>.jpg` became `script>.jpg`). It is a name, never a path
    // (lib/http/file-names.ts).
    preservePath: true,
    // Files past maxFiles are still read (their names only) so that each is named in the
    // answer, up to NAMED_EXTRA_FILES more; past that they are summed up in one line.
    limits: { files: limits.maxFiles + NAMED_EXTRA_FILES, fileSize: limits.maxFileBytes, fields: 20, fieldSize: 10_000 },
  });

  parser.on("file", (_field, file, info) => {
    const name = cleanFileName(info.filename);
    fileCount += 1;
    if (fileCount > limits.maxFiles) {
      file.resume(); // drained, never stored
      const error = `${name} was not uploaded: send at most ${limits.maxFiles} files per request.`;
      work.push(Promise.resolve({ rejection: { name, reason: "too_large", error } }));
      return;
    }
    const tempPath = path.join(tempDir, randomUUID());
    const inspector = new Inspector(accept, inspectBytes);
    // The busboy stream is piped, not put in the pipeline: destroying it on a rejected
    // file would stall the parser. Instead it is unpiped and drained.
    const written = pipeline(inspector, tempFileStream(tempPath));
    // pipe() does not forward errors: a body cut off mid-file errors the file stream, and
    // unhandled that would be an uncaught exception in the web process.
    file.on("error", (err) => inspector.destroy(err));
    file.pipe(inspector);
    work.push(
      written.then(
        () => judge(name, tempPath, inspector, (file as { truncated?: boolean }).truncated === true, { limits, inspect }),
        async (err: unknown): Promise<Outcome> => {
          file.unpipe(inspector);
          file.resume(); // keep draining so the rest of the request can be parsed
          await unlink(tempPath).catch(() => {});
          if (err instanceof NotAccepted) return { rejection: { name, reason: "wrong_type", error: accept.refusal(name, inspector.sniffHead) } };
          throw err;
        },
      ),
    );
  });
  parser.on("field", (name, value) => {
    if (!(name in fields)) fields[name] = value;
  });
  parser.on("filesLimit", () => (tooManyFiles = true));

  let received = 0;
  const uploadBytes = webMetrics().uploadBytes;
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      uploadBytes.inc(chunk.length);
      if (received > limits.maxRequestBytes) {
        return done(new RejectedInputError("too_large", `One request may carry at most ${formatMb(limits.maxRequestBytes)}.`));
      }
      done(null, chunk);
    },
  });

  let outcomes: Outcome[];
  try {
    await pipeline(body, counted, parser);
    outcomes = await Promise.all(work);
  } catch (err) {
    const settled = await Promise.allSettled(work);
    await discard(settled.flatMap((s) => (s.status === "fulfilled" && "file" in s.value ? [s.value.file] : [])));
    if (err instanceof RejectedInputError) throw err;
    throw new HttpError(400, "The upload was interrupted or malformed. Please try again.", "bad_upload");
  }
  const accepted = outcomes.flatMap((o) => ("file" in o ? [o.file] : []));
  const rejected = outcomes.flatMap((o) => ("rejection" in o ? [o.rejection] : []));
  if (tooManyFiles) {
    const listed = limits.maxFiles + NAMED_EXTRA_FILES;
    rejected.push({
      name: "(more files)",
      reason: "too_large",
      error: `More than ${listed} files were sent and none past the first ${limits.maxFiles} was uploaded; only the first ${listed} are named here. Send at most ${limits.maxFiles} files per request.`,
    });
  }
  if (accepted.length === 0 && rejected.length === 0) {
    throw new HttpError(400, `No files were found in the upload. Attach ${accept.plural} in a field named "${accept.field}".`, "no_files");
  }
  return { accepted, rejected, fields };
}

const openFd = promisify(open);

/**
 * node:fs for write streams, except that an open whose folder is missing makes the folder
 * and opens again (the first upload, or someone removed the temp folder): no mkdir per request.
 */
const fsMakingFolders = {
  open: callbackify((file: string, flags: string, mode: number) => inDirectory(path.dirname(file), () => openFd(file, flags, mode))),
  write,
  writev,
  close,
};

/** A write stream into a new temp file, its folder made if missing. */
function tempFileStream(tempPath: string) {
  return createWriteStream(tempPath, { flags: "wx", fs: fsMakingFolders });
}

/** Deletes temp files that were not handed to storage (a stored file is gone already). */
async function discard(files: readonly ReceivedFile[]): Promise<void> {
  await Promise.all(files.filter((f) => !f.stored).map((f) => unlink(f.tempPath).catch(() => {})));
}

// Where left-over temp files are swept (also by the orphan collector in the worker).
export { sweepTempFiles } from "@/lib/storage/temp-files";
