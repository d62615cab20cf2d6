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
import { UnavailableError } from "../errors";
import { createS3Storage, STORAGE_UNAVAILABLE_MESSAGE, type S3StorageConfig } from "./s3";

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
  it("ping says the bucket is missing, and names it", async () => {
    const storage = createS3Storage({ ...config, bucket: "no-such-bucket" });
    await expect(storage.ping()).rejects.toMatchObject({
      reason: "bucket_missing",
      message: 'The storage bucket "no-such-bucket" does not exist (check S3_BUCKET).',
    });
  });

  it("ping says our credentials were refused (s3rver checks the key id)", async () => {
    const storage = createS3Storage({ ...config, accessKeyId: "NOT-A-KEY", secretAccessKey: "whatever" });
    const err = await storage.ping().catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ reason: "auth", message: expect.stringMatching(/^Storage rejected our credentials/) });
    expect(err!.message).not.toContain("NOT-A-KEY");
  });

  it("ping fails fast when nothing listens at the endpoint, saying it was refused", async () => {
    // Port 1 on loopback: connection refused, no waiting for a timeout.
    const storage = createS3Storage({ ...config, endpoint: "http://127.0.0.1:1" });
    await expect(storage.ping()).rejects.toMatchObject({ reason: "refused", message: "Storage refused the connection (is the S3 endpoint running?)." });
  });

  it("an unreachable store is UnavailableError(storage) for every operation, never a bare socket error", async () => {
    const storage = createS3Storage({ ...config, endpoint: "http://127.0.0.1:1" });
    const src = path.join(base, "scratch", "unreachable-src");
    await fs.writeFile(src, "bytes");
    const ops: Array<[string, () => Promise<unknown>]> = [
      ["putFile", () => storage.putFile("originals/x", src, "image/jpeg")],
      ["putBuffer", () => storage.putBuffer("thumbs/x", Buffer.from("x"), "image/webp")],
      ["getBuffer", () => storage.getBuffer("originals/x")],
      ["getStream", () => storage.getStream("originals/x")],
      ["stat", () => storage.stat("originals/x")],
      ["delete", () => storage.delete("originals/x")],
    ];
    for (const [op, run] of ops) {
      const err = await run().then(() => null, (e: unknown) => e);
      expect(err, op).toBeInstanceOf(UnavailableError);
      expect(err, op).toMatchObject({ dependency: "storage", message: STORAGE_UNAVAILABLE_MESSAGE });
    }
    // putFile keeps its source when the upload failed: the caller may still retry it.
    expect(await fs.readFile(src, "utf8")).toBe("bytes");
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
