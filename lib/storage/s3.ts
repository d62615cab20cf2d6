// S3 driver for AWS S3 and S3-compatible stores (Cloudflare R2, MinIO, ...).
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { UnavailableError } from "../errors";
import { assertValidKey, assertValidPrefix } from "./keys";
import { StorageCheckError, StorageNotFoundError, type ListedObject, type PutOptions, type Storage, type StoredObject } from "./types";

export interface S3StorageConfig {
  /** Omit for AWS; set for R2, MinIO and other S3-compatible endpoints. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Both or neither; neither means the SDK's default chain (env, profile, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

const PING_TIMEOUT_MS = 5_000;

function errorName(err: unknown): string | undefined {
  return (err as { name?: string } | null)?.name;
}

/** What the SDK's errors carry: a Node socket error code, or the HTTP status of S3's answer. */
interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Socket-level failures: the store could not be reached, or dropped the connection. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  // A stopped container's name stops resolving (Docker networks): an outage, not a typo.
  "ENOTFOUND",
  "EAI_AGAIN",
]);

const statusOf = (err: unknown) => (err as SdkError | null)?.$metadata?.httpStatusCode;

/**
 * The store is down, restarting or overloaded: not the request's fault, and worth waiting
 * out. Covers a refused or dropped connection (a server killed mid-request answers
 * "socket hang up"), the SDK's timeouts, and 5xx answers (500 InternalError, 503 SlowDown).
 * Not 501 (an S3-compatible store without the feature) nor 4xx (our bucket or keys are wrong).
 */
export function isStorageOutage(err: unknown): boolean {
  const e = err as SdkError | null;
  if (!e || typeof e !== "object") return false;
  if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return true;
  if (e.name === "TimeoutError" || e.name === "RequestTimeout") return true;
  const status = statusOf(err);
  return status !== undefined && status >= 500 && status !== 501;
}

export const STORAGE_UNAVAILABLE_MESSAGE = "File storage is unavailable right now. Please try again in a moment.";

/** An outage becomes the domain's UnavailableError("storage") (HTTP 503, a worker waits it out). */
function asStorageError(err: unknown): unknown {
  if (err instanceof UnavailableError || !isStorageOutage(err)) return err;
  return new UnavailableError("storage", STORAGE_UNAVAILABLE_MESSAGE, 5, { cause: err });
}

/** Why HeadBucket failed, in a sentence for the readiness probe (no endpoint, no keys). */
function checkFailure(err: unknown, bucket: string): StorageCheckError {
  const e = (err as SdkError | null) ?? {};
  const name = e.name ?? "";
  const status = statusOf(err);
  const fail = (reason: ConstructorParameters<typeof StorageCheckError>[0], message: string) =>
    new StorageCheckError(reason, message, { cause: err });
  if (e.code === "ECONNREFUSED") return fail("refused", "Storage refused the connection (is the S3 endpoint running?).");
  if (name === "AbortError" || name === "TimeoutError" || e.code === "ETIMEDOUT") {
    return fail("timeout", `Storage did not answer within ${PING_TIMEOUT_MS / 1000} s.`);
  }
  if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") return fail("unreachable", "Storage's host name does not resolve (check S3_ENDPOINT).");
  if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return fail("unreachable", `Storage is unreachable (${e.code}).`);
  // HEAD answers have no body, so the SDK often knows only the status ("Unknown", "Forbidden").
  if (status === 401 || status === 403 || /InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|Forbidden/.test(name)) {
    return fail("auth", "Storage rejected our credentials (check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, and that they may use the bucket).");
  }
  if (status === 404 || name === "NotFound" || name === "NoSuchBucket") {
    return fail("bucket_missing", `The storage bucket "${bucket}" does not exist (check S3_BUCKET).`);
  }
  if (status !== undefined && status >= 500) return fail("unreachable", `Storage answered with an error (HTTP ${status}).`);
  return fail("failed", `Storage check failed (${name || "unknown error"}${status ? `, HTTP ${status}` : ""}).`);
}

/** GetObject says NoSuchKey; HEAD responses have no body, so HeadObject can only say NotFound. */
function isMissingObject(err: unknown): boolean {
  const name = errorName(err);
  return name === "NoSuchKey" || name === "NotFound";
}

export function createS3Storage(config: S3StorageConfig): Storage {
  const { bucket } = config;
  if (!bucket) throw new Error("S3 storage: bucket is required");
  if (Boolean(config.accessKeyId) !== Boolean(config.secretAccessKey)) {
    // Name the variables, never echo their values.
    throw new Error(
      "S3 storage: set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither to use the default credential chain",
    );
  }

  const clientConfig: S3ClientConfig = {
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials:
      config.accessKeyId && config.secretAccessKey
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : undefined,
    // Without timeouts an unreachable endpoint hangs a request (and a readiness probe)
    // indefinitely. socketTimeout is idle time, so long but steady transfers are fine.
    requestHandler: { connectionTimeout: 5_000, socketTimeout: 120_000 },
  };
  if (config.endpoint) {
    // Since 3.729 the SDK sends streamed bodies as aws-chunked with a trailing CRC32 by
    // default. Not every S3-compatible server decodes that: s3rver stores the chunk
    // framing as object bytes (seen in our integration test), and some gateways reject
    // it. For custom endpoints only send checksums when an operation requires them;
    // AWS itself keeps the SDK's integrity-checking defaults.
    clientConfig.requestChecksumCalculation = "WHEN_REQUIRED";
    clientConfig.responseChecksumValidation = "WHEN_REQUIRED";
  }
  const client = new S3Client(clientConfig);

  /** Every request goes through here, so an outage is named the same way whatever was asked. */
  async function send<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw asStorageError(err);
    }
  }

  async function put(key: string, body: Buffer | Readable, length: number, contentType: string, opts?: PutOptions) {
    await send(() => client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        // With a stream body the SDK cannot know the length; without it the upload
        // would have to be buffered or chunked.
        ContentLength: length,
        ContentType: contentType,
        // What a CDN or the bucket's public domain sends listeners (PUBLIC_MEDIA_BASE_URL).
        CacheControl: opts?.cacheControl,
      }),
    ));
  }

  async function getObject(key: string, range?: { start: number; end: number }) {
    try {
      return await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
    } catch (err) {
      if (isMissingObject(err)) throw new StorageNotFoundError(key);
      throw asStorageError(err);
    }
  }

  return {
    driver: "s3",

    async putFile(key, filePath, contentType, opts) {
      assertValidKey(key);
      const { size } = await fs.stat(filePath);
      // Streamed, so a 50 MB upload never sits in memory. A single PutObject is fine up to
      // S3's 5 GB limit, above MAX_FILE_BYTES and MAX_AUDIO_BYTES; multipart would need @aws-sdk/lib-storage.
      await put(key, createReadStream(filePath), size, contentType, opts);
      // Only after a successful upload; on failure the caller still has the file to retry.
      await fs.unlink(filePath);
    },

    async putBuffer(key, body, contentType, opts) {
      assertValidKey(key);
      await put(key, body, body.length, contentType, opts);
    },

    async getBuffer(key) {
      assertValidKey(key);
      const res = await getObject(key);
      if (!res.Body) throw new Error(`S3 returned no body for ${key}`);
      // The connection can also drop while the body arrives.
      const body = res.Body;
      const bytes = await send(() => body.transformToByteArray());
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },

    async getStream(key, range) {
      assertValidKey(key);
      const res = await getObject(key, range);
      // In Node the SDK's Body is an http.IncomingMessage; the union type also covers
      // browser streams, which never occur here.
      const body = res.Body;
      if (!(body instanceof Readable)) {
        throw new Error(`S3 returned a non-Node body for ${key}`);
      }
      if (res.ContentLength === undefined) {
        // Callers put size into Content-Length; guessing would corrupt responses.
        body.destroy();
        throw new Error(`S3 returned no Content-Length for ${key}`);
      }
      // For a range, the whole size is the number after the slash in Content-Range.
      const total = range ? Number(/\/(\d+)$/.exec(res.ContentRange ?? "")?.[1]) : res.ContentLength;
      if (!Number.isFinite(total)) {
        body.destroy();
        throw new Error(`S3 returned no usable Content-Range for ${key}`);
      }
      return { stream: body, size: total, contentType: res.ContentType, cacheControl: res.CacheControl };
    },

    async stat(key): Promise<StoredObject | null> {
      assertValidKey(key);
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          size: res.ContentLength ?? 0,
          contentType: res.ContentType,
          ...(res.ETag ? { etag: res.ETag } : {}),
          ...(res.CacheControl ? { cacheControl: res.CacheControl } : {}),
        };
      } catch (err) {
        if (isMissingObject(err)) return null;
        throw asStorageError(err);
      }
    },

    async delete(key) {
      assertValidKey(key);
      // S3 answers 204 for a missing key too, which matches the local driver.
      await send(() => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    },

    async *list(prefix): AsyncIterable<ListedObject> {
      assertValidPrefix(prefix);
      let token: string | undefined;
      do {
        const page = await send(() => client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token })));
        for (const object of page.Contents ?? []) {
          if (object.Key) yield { key: object.Key, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    async ping() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }), {
          abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS),
        });
      } catch (err) {
        throw checkFailure(err, bucket);
      }
    },
  };
}
