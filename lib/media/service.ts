// What the HTTP edge asks of the photo domain: accept an upload, retry or delete photos.
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { SessionUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { ConflictError, RejectedInputError, type RejectionReason } from "@/lib/errors";
import { enqueue, rerunJob } from "@/lib/jobs";
import { webMetrics } from "@/lib/metrics/web";
import { quotaCheck, withinQuota } from "@/lib/account/usage";
import { storage } from "@/lib/storage/instance";
import { discardObject } from "@/lib/storage/leftovers";
import { publishVlogRun } from "@/lib/vlogs/live";
import { deletePhotos, type DeletedPhotos } from "./delete";
import { checkFileHeader, HEADER_BYTES } from "./image-header";
import { ACCEPTED_FORMATS_SENTENCE } from "./errors";
import { publishMedia } from "./live";
import { SNIFF_BYTES, describeNonImage, sniffImageType, type ImageMime } from "./sniff";
import { createMedia, deleteMedia, getMediaForJob, getOwnedMedia, updateMediaState } from "./repository";
import { toMediaView, type MediaView } from "./view";

/** A file read from an upload (lib/http/upload.ts): sniffed as the kind it takes, hashed, in a temp file. */
export interface ReceivedFile {
  name: string;
  tempPath: string;
  size: number;
  sha256: string;
  mime: string;
  /** The usual file extension of the sniffed type, when the acceptance names one. */
  ext?: string;
  /**
   * Set by whoever hands the file to storage once putFile has taken it (the temp file is
   * gone then), so the reader does not try to delete it again.
   */
  stored?: boolean;
}

/** A file refused while the upload was read, and why. */
export interface RejectedFile {
  name: string;
  reason: RejectionReason;
  error: string;
  /** Numbers a program can act on (over_quota: the room left). */
  details?: Record<string, number>;
}

export interface ReceivedUpload {
  accepted: ReceivedFile[];
  rejected: RejectedFile[];
  /** Text fields of the form, first value of each. */
  fields: Record<string, string>;
}

export interface UploadResult {
  media: MediaView[];
  rejected: RejectedFile[];
}

/**
 * Reads each uploaded image's header (never its pixels) and refuses, with the reason,
 * what the worker would refuse anyway: over the pixel or frame limit, or a header that
 * cannot be read. The person hears at once instead of after a queue wait.
 */
function headerCheck(limits: { maxPixels: number; maxFrames: number }) {
  return async ({ tempPath, mime, head }: { tempPath: string; mime: string; head: Buffer }): Promise<RejectedInputError | null> => {
    try {
      await checkFileHeader({ path: tempPath, head }, limits, mime as ImageMime);
      return null;
    } catch (err) {
      if (err instanceof RejectedInputError) return err;
      throw err;
    }
  };
}

/** Photos: what the upload reader takes for the photo library (lib/http/upload.ts). */
export const photoAcceptance = {
  sniffBytes: SNIFF_BYTES,
  sniff: (head: Uint8Array) => sniffImageType(head),
  refusal(name: string, head: Uint8Array) {
    const what = describeNonImage(head);
    const looks = what === "unknown" ? "" : ` (it looks like ${what})`;
    return `${name} is not a photo we can read${looks}. ${ACCEPTED_FORMATS_SENTENCE}`;
  },
  plural: "photos",
  field: "files",
};

function originalKey(): string {
  const now = new Date();
  const month = String(now.getUTCMonth() + 1).padStart(2, "0");
  return `originals/${now.getUTCFullYear()}/${month}/${randomUUID()}`;
}

/** How uploads are read (lib/http/upload.ts): the configured limits and the header check. */
export function uploadPolicy(config = env()) {
  return {
    tempDir: path.join(config.DATA_DIR, "tmp"),
    limits: { maxFileBytes: config.MAX_FILE_BYTES, maxRequestBytes: config.MAX_REQUEST_BYTES, maxFiles: config.MAX_FILES_PER_REQUEST },
    accept: photoAcceptance,
    inspect: headerCheck({ maxPixels: config.MAX_PIXELS, maxFrames: config.MAX_FRAMES }),
    inspectBytes: HEADER_BYTES,
  };
}

/**
 * Moves the received files to storage, records one photo per file and queues its
 * analysis. Each photo is all-or-nothing: if its original cannot be stored, or its row or
 * job cannot be created, its stored bytes and row are removed again (the bytes later, if
 * storage is down), so nothing is left half-made. Files not moved are the reader's to delete.
 */
export async function acceptUpload(user: SessionUser, upload: ReceivedUpload): Promise<UploadResult> {
  const { accepted } = upload;
  let { rejected } = upload;
  const created: MediaView[] = [];
  // Files over the owner's storage quota are refused like any other (413 each), before storing;
  // withinQuota below holds the line against another upload of the same person at once.
  const quota = env().USER_STORAGE_QUOTA_BYTES;
  const fits = await quotaCheck(db(), user.id, quota);
  const refuse = (name: string, refusal: RejectedInputError) => {
    rejected = [...rejected, { name, reason: refusal.reason, error: refusal.message, details: refusal.details }];
  };
  try {
    for (const file of accepted) {
      const refusal = fits(file.name, file.size);
      if (refusal) {
        refuse(file.name, refusal);
        continue;
      }
      const storageKey = originalKey();
      try {
        await storage().putFile(storageKey, file.tempPath, file.mime);
        file.stored = true;
      } catch (err) {
        // A failed write may still have stored every byte (a store that died before it
        // answered): remove it, now or once storage is back.
        await discardObject(storage(), storageKey, "photo upload failed while storing the original");
        throw err;
      }
      let row;
      try {
        const media = { ownerId: user.id, originalName: file.name, mime: file.mime, size: file.size, sha256: file.sha256, storageKey };
        row = await withinQuota(db(), user.id, quota, file.name, file.size, (tx) => createMedia(tx, media));
        await enqueue("analyze-media", { mediaId: row.id });
      } catch (err) {
        if (row) await deleteMedia(db(), row.id);
        await discardObject(storage(), storageKey, "photo upload failed after storing the original");
        // Another upload took the room meanwhile: this file is refused like one that never fitted.
        if (err instanceof RejectedInputError && err.reason === "over_quota") {
          refuse(file.name, err);
          continue;
        }
        throw err;
      }
      created.push(toMediaView(row));
    }
  } finally {
    webMetrics().uploadFiles.inc({ result: "accepted" }, created.length);
    webMetrics().uploadFiles.inc({ result: "rejected" }, rejected.length);
  }
  if (created.length === 0) {
    const first = rejected[0];
    throw new RejectedInputError(first.reason, first.error, first.details ? { details: first.details } : undefined);
  }
  return { media: created, rejected };
}

/**
 * How long Retry waits for a job that has just failed to be filed as failed (see rerunJob):
 * milliseconds as a rule; the bound only keeps a stuck worker from holding the request.
 */
const RETRY_SETTLE_MS = 5_000;

/** Puts a failed photo back in the queue under the same job id, with fresh attempts. */
export async function retryMedia(user: SessionUser, id: string): Promise<MediaView> {
  const row = await getOwnedMedia(db(), user.id, id);
  // null also when it turned done (or was deleted) since it was read.
  const queued = row.status === "failed" ? await updateMediaState(db(), id, { status: "queued", stage: null, progress: 0, error: null }) : null;
  if (!queued) throw new ConflictError("not_failed", "Only a photo whose analysis failed can be retried.");
  await rerunJob("analyze-media", { mediaId: id }, { settleMs: RETRY_SETTLE_MS });
  await publishMedia(queued);
  return toMediaView(queued);
}

/**
 * An admin is retrying this photo's failed job: show it as queued again (and tell any open
 * page) before the job goes back to the queue, so the worker's next update is the newer one.
 */
export async function markMediaRequeued(id: string): Promise<void> {
  const row = await getMediaForJob(db(), id);
  if (!row || row.status !== "failed") return;
  const queued = await updateMediaState(db(), id, { status: "queued", stage: null, progress: 0, error: null });
  if (queued) await publishMedia(queued);
}

/**
 * Deletes photos of this user (lib/media/delete.ts) and tells open vlog pages whose
 * storyboard now marks a shot as removed.
 */
export async function deletePhotosFor(user: SessionUser, ids: readonly string[]): Promise<DeletedPhotos> {
  const result = await deletePhotos({ db: db(), storage: storage() }, user.id, ids);
  for (const runId of new Set(result.changedRuns)) await publishVlogRun(db(), runId).catch(() => {});
  return result;
}
