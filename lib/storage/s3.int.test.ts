// Runs the storage contract against a real S3-protocol server: s3rver in-process on
// 127.0.0.1. It checks the wire protocol, not auth (s3rver ignores SigV4 signatures),
// and must never have its event loop blocked by a test, or requests would deadlock.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storageContract, type ContractSubject } from "./contract";
import { createStorage, StorageConfigError } from "./index";
import { createS3Storage, type S3StorageConfig } from "./s3";

const BUCKET = "framecast-test";

let base: string;
let server: S3rver | undefined;
let config: S3StorageConfig;
let subject: ContractSubject;

beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), "framecast-s3-storage-"));
  const directory = path.join(base, "s3rver");
  const scratchDir = path.join(base, "scratch");
  await fs.mkdir(directory);
  await fs.mkdir(scratchDir);

  server = new S3rver({
    address: "127.0.0.1",
    port: 0, // the OS picks a free port, so parallel runs cannot collide
    directory,
    silent: true,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();

  config = {
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    bucket: BUCKET,
    // s3rver knows only this key pair; it checks the id, not the signature.
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    forcePathStyle: true,
  };
  subject = { storage: createS3Storage(config), scratchDir };
});

afterAll(async () => {
  await server?.close();
  if (base) await fs.rm(base, { recursive: true, force: true });
});

storageContract("s3 (s3rver)", () => subject);

describe("s3 storage specifics", () => {
  it("ping names the bucket when it does not exist", async () => {
    const storage = createS3Storage({ ...config, bucket: "no-such-bucket" });
    await expect(storage.ping()).rejects.toThrow(/no-such-bucket/);
  });

  it("ping fails fast when nothing listens at the endpoint", async () => {
    // Port 1 on loopback: connection refused, no waiting for a timeout.
    const storage = createS3Storage({ ...config, endpoint: "http://127.0.0.1:1" });
    await expect(storage.ping()).rejects.toThrow(/S3 ping failed/);
  });

  it("error messages never contain the secret key", async () => {
    const secret = "super-secret-value-123";
    const storage = createS3Storage({
      ...config,
      endpoint: `http://user:${secret}@127.0.0.1:1`,
      secretAccessKey: secret,
    });
    const err = await storage.ping().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).not.toContain(secret);
  });

  it("rejects half-configured credentials", () => {
    expect(() => createS3Storage({ ...config, secretAccessKey: undefined })).toThrow(
      /S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/,
    );
  });

  it("createStorage builds the s3 driver from env and works end to end", async () => {
    const storage = createStorage({
      STORAGE_DRIVER: "s3",
      DATA_DIR: base,
      S3_ENDPOINT: config.endpoint,
      S3_REGION: config.region,
      S3_BUCKET: BUCKET,
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      S3_FORCE_PATH_STYLE: true,
    });
    expect(storage.driver).toBe("s3");
    await storage.putBuffer("via-env/obj", Buffer.from("hi"), "text/plain");
    expect((await storage.getBuffer("via-env/obj")).toString()).toBe("hi");
  });

  it("createStorage names the missing variable", () => {
    const env = {
      STORAGE_DRIVER: "s3" as const,
      DATA_DIR: base,
      S3_REGION: "auto",
      S3_FORCE_PATH_STYLE: true,
    };
    expect(() => createStorage(env)).toThrow(StorageConfigError);
    expect(() => createStorage(env)).toThrow(/S3_BUCKET/);
    expect(() => createStorage({ ...env, S3_BUCKET: "b", S3_ACCESS_KEY_ID: "id" })).toThrow(
      /S3_SECRET_ACCESS_KEY/,
    );
  });
});
