// A private S3-compatible server for fault tests: s3rver in a child process of its own
// (test/s3rver-child.mjs) on a port the caller owns, so a test can kill it, freeze it and
// start it again on the same port and directory, the way an S3 endpoint goes away and
// comes back. Lists what the bucket holds, so a test can assert nothing was left behind.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { freePort, startChild, type Child } from "./processes";

/** s3rver knows only this key pair; it checks the key id (not the signature). */
export const S3RVER_KEY = "S3RVER";

export interface PrivateS3 {
  port: number;
  endpoint: string;
  bucket: string;
  dir: string;
  readonly running: boolean;
  /** Environment that points a Framecast process (web or worker) at it. */
  env(): Record<string, string>;
  /**
   * Starts it (again, on the same port and directory). With `crashOnPut`, it kills itself
   * with SIGKILL right after storing the first object whose key matches, before answering.
   */
  start(opts?: { crashOnPut?: RegExp }): Promise<void>;
  /** kill -9, and waits until it is gone. */
  crash(): Promise<void>;
  /** Resolves once it has exited by itself (after a crashOnPut). */
  exited(): Promise<unknown>;
  /** SIGSTOP / SIGCONT: connections are accepted by the kernel but never answered. */
  freeze(): void;
  thaw(): void;
  /** Every key in the bucket (it must be running). */
  keys(prefix?: string): Promise<string[]>;
  destroy(): Promise<void>;
}

export async function startPrivateS3(opts: { portRange: [number, number]; bucket?: string }): Promise<PrivateS3> {
  const port = await freePort(...opts.portRange);
  const dir = await mkdtemp(path.join(os.tmpdir(), `framecast-s3-${port}-`));
  const bucket = opts.bucket ?? "framecast-fault";
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
  });
  let child: Child | null = null;
  const self: PrivateS3 = {
    port,
    endpoint,
    bucket,
    dir,
    get running() {
      return child?.running ?? false;
    },
    env: () => ({
      STORAGE_DRIVER: "s3",
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: S3RVER_KEY,
      S3_SECRET_ACCESS_KEY: S3RVER_KEY,
      S3_FORCE_PATH_STYLE: "true",
    }),
    async start(startOpts = {}) {
      if (child?.running) throw new Error("s3rver is already running");
      child = startChild(process.execPath, [path.join(__dirname, "s3rver-child.mjs")], {
        name: `s3rver:${port}`,
        env: {
          NODE_ENV: "test",
          PATH: process.env.PATH ?? "",
          S3RVER_PORT: String(port),
          S3RVER_DIR: dir,
          S3RVER_BUCKET: bucket,
          ...(startOpts.crashOnPut ? { S3RVER_CRASH_ON_PUT: startOpts.crashOnPut.source } : {}),
        },
      });
      await child.waitForOutput(/s3rver listening on/, 30_000);
    },
    async crash() {
      if (!child?.running) return;
      child.kill("SIGCONT"); // a frozen process must be able to die
      child.kill("SIGKILL");
      await child.exited;
    },
    exited: () => child?.exited ?? Promise.resolve(),
    freeze: () => child?.kill("SIGSTOP"),
    thaw: () => child?.kill("SIGCONT"),
    async keys(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async destroy() {
      await self.crash();
      client.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}
