// Audio too large to send inline goes through Gemini's Files API: upload (the SDK's
// resumable protocol), wait until the file is ACTIVE, refer to it by URI, delete it. The
// file is named by us before the upload starts, so it can be deleted even when the caller
// gives up while the upload is still running (the SDK's upload takes no abort signal): the
// delete then runs as soon as the upload settles. Files Gemini keeps expire after 48 hours
// anyway, but a recording should not stay with a third party longer than it is needed.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { FileState, type GoogleGenAI } from "@google/genai";
import { AiError } from "@/lib/ai/errors";

export interface UploadedAudio {
  name: string;
  uri: string;
  mimeType: string;
}

export interface FilesOptions {
  signal?: AbortSignal;
  /** Between checks of a file that is still PROCESSING. Default 2 s. */
  pollMs?: number;
  /** How long Gemini may take to make an upload ACTIVE. Default 5 minutes. */
  activeTimeoutMs?: number;
}

/**
 * Uploads `file`, waits until Gemini can use it, runs `fn` with it and deletes it,
 * whatever happens. Errors are the SDK's (the caller classifies them).
 */
export async function withUploadedAudio<T>(client: GoogleGenAI, file: string, mimeType: string, opts: FilesOptions, fn: (audio: UploadedAudio) => Promise<T>): Promise<T> {
  // Ids are up to 40 lowercase letters, digits and dashes; letters and digits only, since
  // the SDK reads a name out of a URI with /[a-z0-9]+/.
  const name = `files/framecast${randomBytes(12).toString("hex")}`;
  const upload = client.files.upload({ file, config: { name, mimeType, displayName: "framecast-episode-audio" } });
  let settled = false;
  const whenSettled = upload.then(
    () => void (settled = true),
    () => void (settled = true),
  );
  const remove = () => client.files.delete({ name }).then(
    () => undefined,
    () => undefined,
  );
  try {
    const uploaded = await untilAborted(upload, opts.signal);
    const active = uploaded.state === FileState.ACTIVE ? uploaded : await waitUntilActive(client, uploaded.name ?? name, opts);
    if (!active.uri) throw new AiError("transient", "Gemini did not say where the uploaded audio is");
    return await fn({ name, uri: active.uri, mimeType: active.mimeType ?? mimeType });
  } finally {
    if (settled) await remove();
    else void whenSettled.then(remove);
  }
}

async function waitUntilActive(client: GoogleGenAI, name: string, opts: FilesOptions) {
  const deadline = Date.now() + (opts.activeTimeoutMs ?? 300_000);
  for (;;) {
    const file = await client.files.get({ name, config: { abortSignal: opts.signal } });
    if (file.state === FileState.ACTIVE) return file;
    if (file.state === FileState.FAILED) {
      const why = file.error?.message ? `: ${file.error.message}` : "";
      throw new AiError("permanent", `Gemini could not read the uploaded audio${why}`);
    }
    if (Date.now() >= deadline) throw new AiError("transient", "Gemini took too long to prepare the uploaded audio");
    await sleep(opts.pollMs ?? 2_000, undefined, { signal: opts.signal });
  }
}

/** `promise`, or a rejection as soon as `signal` aborts (the work itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
