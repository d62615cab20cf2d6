"use client";

// Sends one big file with the tus protocol (tus-js-client) so that a dropped connection
// costs nothing: the bar goes on from the server's offset, never from zero. While the
// network is gone the caller is told (onPaused) and the upload waits — for the browser's
// "online" event, or a next try a little later — and then goes on by itself. A page reload
// finds the same upload again (its address is kept in localStorage) instead of sending the
// file twice. The answer looks like the multipart route's (202 with what it made, or the
// refusal), so the uploaders treat both transports alike.
import { Upload, type DetailedError } from "tus-js-client";
import { networkBack, sleep } from "./network-back";
import type { PostResult } from "./upload-queue";

export interface ResumableOptions {
  /** The kind's collection, e.g. "/api/v1/media/uploads". */
  endpoint: string;
  /** Extra metadata (e.g. showId); the file's name and type are always sent. */
  metadata?: Record<string, string>;
  onProgress: (fraction: number) => void;
  onPaused: (paused: boolean) => void;
}

interface UploadState {
  state: "receiving" | "finishing" | "done" | "refused";
  result?: unknown;
  status?: number;
  error?: { message: string; code: string };
}

/** A response worth retrying as it is: no answer at all, the server busy or failing, a conflict the next HEAD settles. */
const isTransient = (status: number) => status === 0 || status === 409 || status === 423 || status >= 500;

function parse(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export function sendResumable(file: File, { endpoint, metadata = {}, onProgress, onPaused }: ResumableOptions): Promise<PostResult> {
  return new Promise((resolve) => {
    let attempt = 0;
    let paused = false;
    const pause = (value: boolean) => {
      if (paused === value) return;
      paused = value;
      if (!value) attempt = 0; // moving again: the next pause starts with a short wait
      onPaused(value);
    };
    const retry = async () => {
      pause(true);
      await networkBack(attempt++);
      upload.start();
    };

    // Once every byte is in: the outcome (it may still be being checked and stored).
    const outcome = async (url: string): Promise<void> => {
      for (;;) {
        let res: Response;
        try {
          res = await fetch(url, { headers: { accept: "application/json" }, cache: "no-store" });
        } catch {
          pause(true);
          await networkBack(attempt++);
          continue;
        }
        const body = (await res.json().catch(() => null)) as UploadState | null;
        if (!res.ok || !body) return resolve({ status: res.status, body, retryAfter: res.headers.get("Retry-After") });
        pause(false);
        if (body.state === "done") return resolve({ status: 202, body: body.result, retryAfter: null });
        if (body.state === "refused") return resolve({ status: body.status ?? 422, body: { error: body.error }, retryAfter: null });
        await sleep(1000);
      }
    };

    const upload = new Upload(file, {
      endpoint,
      metadata: { filename: file.name, filetype: file.type, ...metadata },
      // Our own retry loop (below), so the page can say it is waiting for the network.
      retryDelays: [],
      // Requests of at most 50 MB, which proxies in front of the app let through.
      chunkSize: 50 * 1024 * 1024,
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => {
        if (sent > 0) pause(false);
        onProgress(total > 0 ? sent / total : 0);
      },
      onSuccess: () => void outcome(upload.url!),
      onError: (err) => {
        const response = (err as DetailedError).originalResponse;
        const status = response?.getStatus() ?? 0;
        if (isTransient(status)) return void retry();
        resolve({ status, body: parse(response?.getBody()), retryAfter: response?.getHeader("Retry-After") ?? null });
      },
    });

    // The same file, started before a reload or a lost connection: go on with it.
    upload
      .findPreviousUploads()
      .then((previous) => {
        if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
      })
      .catch(() => {})
      .finally(() => upload.start());
  });
}
