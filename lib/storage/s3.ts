// S3 driver for AWS S3 and S3-compatible stores (Cloudflare R2, MinIO, ...).
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { assertValidKey } from "./keys";
import { StorageNotFoundError, type PutOptions, type Storage, type StoredObject } from "./types";

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

/** GetObject says NoSuchKey; HEAD responses have no body, so HeadObject can only say NotFound. */
function isMissingObject(err: unknown): boolean {
  const name = errorName(err);
  return name === "NoSuchKey" || name === "NotFound";
}

/** An endpoint is not a secret, but a URL can carry user:password; keep that out of messages. */
function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.username || url.password) {
      url.username = "***";
      url.password = "";
    }
    return url.toString();
  } catch {
    return "(unparseable endpoint)";
  }
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

  async function put(key: string, body: Buffer | Readable, length: number, contentType: string, opts?: PutOptions) {
    await client.send(
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
    );
  }

  async function getObject(key: string, range?: { start: number; end: number }) {
    try {
      return await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
    } catch (err) {
      if (isMissingObject(err)) throw new StorageNotFoundError(key);
      throw err;
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
      const bytes = await res.Body.transformToByteArray();
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
        throw err;
      }
    },

    async delete(key) {
      assertValidKey(key);
      // S3 answers 204 for a missing key too, which matches the local driver.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },

    async ping() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }), {
          abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS),
        });
      } catch (err) {
        // HeadBucket errors are bare ("NotFound", "Forbidden"); say which bucket and where.
        const where = config.endpoint ? redactUrl(config.endpoint) : `AWS region ${config.region}`;
        throw new Error(`S3 ping failed for bucket "${bucket}" at ${where}: ${errorName(err) ?? err}`, {
          cause: err,
        });
      }
    },
  };
}
