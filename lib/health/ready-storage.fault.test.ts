// What the readiness probe says about S3-compatible storage, for each way it can fail that
// we can produce for real against s3rver in a process of its own (test/s3rver.ts): down
// (refused), frozen (SIGSTOP: the kernel accepts, nobody answers), a bucket that does not
// exist, and keys it does not know (s3rver checks the access key id, not the signature, so
// a wrong secret alone cannot be produced here).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Storage, type S3StorageConfig } from "@/lib/storage";
import { bounded } from "@/test/processes";
import { S3RVER_KEY, startPrivateS3, type PrivateS3 } from "@/test/s3rver";
import { checkReadiness, type RedisProbe } from "./readiness";

let s3: PrivateS3;
let config: S3StorageConfig;

beforeAll(async () => {
  s3 = await startPrivateS3({ portRange: [4670, 4689] });
  config = { endpoint: s3.endpoint, region: "us-east-1", bucket: s3.bucket, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY, forcePathStyle: true };
}, 60_000);

afterAll(() => bounded("s3rver", s3?.destroy()));

const healthyRedis: RedisProbe = { ping: async () => "PONG", config: async () => ["maxmemory-policy", "noeviction"], info: async () => "" };

/** The storage part of a readiness answer, with only the storage check able to fail. */
async function storageCheck(overrides: Partial<S3StorageConfig> = {}) {
  const storage = createS3Storage({ ...config, ...overrides });
  const result = await checkReadiness({ postgres: async () => 1, redis: async () => healthyRedis, storage: () => storage.ping() });
  expect(result.failed).toEqual(result.ready ? [] : ["storage"]);
  return result.checks.storage;
}

describe("readiness names why storage failed", () => {
  it("is ready while s3rver answers", async () => {
    expect(await storageCheck()).toMatchObject({ ok: true });
  });

  it("refused: s3rver is down", { timeout: 30_000 }, async () => {
    await s3.crash();
    try {
      expect(await storageCheck()).toMatchObject({ ok: false, error: "Storage refused the connection (is the S3 endpoint running?).", details: { reason: "refused" } });
    } finally {
      await s3.start();
    }
  });

  it("timeout: s3rver is frozen and never answers", { timeout: 30_000 }, async () => {
    s3.freeze();
    try {
      expect(await storageCheck()).toMatchObject({ ok: false, error: "Storage did not answer within 2 s.", details: { reason: "timeout" } });
    } finally {
      s3.thaw();
    }
  });

  it("bucket missing: S3_BUCKET names a bucket that is not there", async () => {
    expect(await storageCheck({ bucket: "framecast-typo" })).toMatchObject({
      ok: false,
      error: 'The storage bucket "framecast-typo" does not exist (check S3_BUCKET).',
      details: { reason: "bucket_missing" },
    });
  });

  it("auth: keys the store does not know, never echoed", async () => {
    const check = await storageCheck({ accessKeyId: "AKIA-NOT-KNOWN", secretAccessKey: "not-the-secret" });
    expect(check).toMatchObject({
      ok: false,
      error: "Storage rejected our credentials (check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, and that they may use the bucket).",
      details: { reason: "auth" },
    });
    expect(JSON.stringify(check)).not.toMatch(/AKIA-NOT-KNOWN|not-the-secret/);
  });
});
