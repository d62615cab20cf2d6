// Picks the storage driver from configuration. Callers depend on the Storage interface
// only, so switching STORAGE_DRIVER needs no code change.
import type { Env } from "../env";
import { createLocalStorage } from "./local";
import { createS3Storage } from "./s3";
import type { Storage } from "./types";

export type { Storage, StoredObject } from "./types";
export { StorageCheckError, StorageNotFoundError, type StorageCheckReason } from "./types";
export { InvalidStorageKeyError } from "./keys";
export { createLocalStorage, tempDir } from "./local";
export { createS3Storage, isStorageOutage, STORAGE_UNAVAILABLE_MESSAGE, type S3StorageConfig } from "./s3";

/** Thrown at startup for a configuration the chosen driver cannot work with. */
export class StorageConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StorageConfigError";
  }
}

type StorageEnv = Pick<
  Env,
  | "STORAGE_DRIVER"
  | "DATA_DIR"
  | "S3_ENDPOINT"
  | "S3_REGION"
  | "S3_BUCKET"
  | "S3_ACCESS_KEY_ID"
  | "S3_SECRET_ACCESS_KEY"
  | "S3_FORCE_PATH_STYLE"
>;

export function createStorage(env: StorageEnv): Storage {
  switch (env.STORAGE_DRIVER) {
    case "local":
      return createLocalStorage(env.DATA_DIR);
    case "s3": {
      if (!env.S3_BUCKET) {
        throw new StorageConfigError("STORAGE_DRIVER=s3 requires S3_BUCKET to be set");
      }
      // Checked here too so the message names the env variables, not config fields.
      if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
        const missing = env.S3_ACCESS_KEY_ID ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID";
        throw new StorageConfigError(
          `STORAGE_DRIVER=s3 requires ${missing} to be set as well (or neither key, to use the default AWS credential chain)`,
        );
      }
      return createS3Storage({
        endpoint: env.S3_ENDPOINT,
        region: env.S3_REGION,
        bucket: env.S3_BUCKET,
        accessKeyId: env.S3_ACCESS_KEY_ID,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY,
        forcePathStyle: env.S3_FORCE_PATH_STYLE,
      });
    }
    default: {
      // Unreachable while Env's enum and this switch agree; a clear error if they drift.
      const driver: never = env.STORAGE_DRIVER;
      throw new StorageConfigError(`Unknown STORAGE_DRIVER ${String(driver)}`);
    }
  }
}
