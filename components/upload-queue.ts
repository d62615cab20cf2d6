"use client";

// The part every uploader shares: files picked or dropped become rows, at most a few are
// sent at once (each with its bytes-sent fraction), and each ends accepted (with what the
// API answered) or rejected with a readable message. Photos and audio differ only in what
// they send and how a row reads after acceptance.
import { startTransition, useCallback, useEffect, useRef, useState } from "react";
import { networkBack, sleep } from "./network-back";

export interface UploadItem<T> {
  key: string;
  name: string;
  size: number;
  state: "uploading" | "rejected" | "accepted";
  /** Bytes sent, 0..1. */
  uploaded: number;
  /** Waiting for the network to come back (it goes on by itself). */
  paused?: boolean;
  /** What the API answered for an accepted file. */
  accepted?: T;
  error?: string;
  /** A rejection that may go away on a second try (connection lost, server busy). */
  retryable?: boolean;
}

export interface UploadOutcome<T> {
  accepted?: T;
  error?: string;
  retryable?: boolean;
}

export interface PostResult {
  status: number;
  body: unknown;
  retryAfter: string | null;
}

/** Sends a form with XMLHttpRequest (fetch cannot report upload progress). status 0: unreachable. */
export function postForm(url: string, form: FormData, onProgress: (fraction: number) => void, headers: Record<string, string> = {}): Promise<PostResult> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.response, retryAfter: xhr.getResponseHeader("Retry-After") });
    xhr.onerror = () => resolve({ status: 0, body: null, retryAfter: null });
    xhr.send(form);
  });
}

/**
 * Sends a form until it gets an answer: a phone's upload that survives the network dropping
 * or the tab being suspended. No answer at all (status 0) pauses the row (`onPaused`), waits
 * for the network (networkBack) and sends the whole form again — the files it is used for are
 * small. Every try carries the same Idempotency-Key, so if the lost try had in fact arrived,
 * the server answers its 202 again instead of storing the file twice (lib/http/idempotency.ts).
 * Any answer, a refusal included, ends it.
 */
export async function sendForm(url: string, form: FormData, { onProgress, onPaused }: { onProgress: (fraction: number) => void; onPaused: (paused: boolean) => void }): Promise<PostResult> {
  const headers = { "Idempotency-Key": crypto.randomUUID() };
  let paused = false;
  let attempt = 0;
  const pause = (value: boolean) => {
    if (paused === value) return;
    paused = value;
    if (!value) attempt = 0; // moving again: the next pause starts with a short wait
    onPaused(value);
  };
  for (;;) {
    const progress = (fraction: number) => {
      if (fraction > 0) pause(false);
      onProgress(fraction);
    };
    const result = await postForm(url, form, progress, headers);
    if (result.status === 0) {
      pause(true);
      onProgress(0);
      await networkBack(attempt++);
      continue;
    }
    pause(false);
    // The lost try is still being stored: its answer is kept in a moment.
    if (result.status === 409 && (result.body as { error?: { code?: string } } | null)?.error?.code === "idempotency_key_in_flight") {
      await sleep(2000);
      continue;
    }
    return result;
  }
}

/** The API's message for a refused upload, with the wait when the server named one. */
export function refusalMessage({ status, body, retryAfter }: PostResult): string {
  if (status === 0) return "The upload was interrupted. Check your connection and try again.";
  const b = body as { error?: { message?: string }; rejected?: { error?: string }[] } | null;
  const message = b?.error?.message ?? b?.rejected?.[0]?.error ?? `Upload failed (HTTP ${status}).`;
  return retryAfter && !/try again in/i.test(message) ? `${message} (try again in ${retryAfter}s)` : message;
}

/** What a row says while its upload waits for the network (it goes on by itself). */
export const PAUSED_TEXT = "Paused — waiting for the network";

/** Worth sending again as it is: the connection dropped or the server was busy, not the file. */
export const isRetryableStatus = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;

export function useUploadQueue<T>({ upload, parallel = 3, onAccepted }: {
  upload: (file: File, onProgress: (fraction: number) => void, onPaused: (paused: boolean) => void) => Promise<UploadOutcome<T>>;
  parallel?: number;
  onAccepted?: (accepted: T) => void;
}) {
  const [items, setItems] = useState<UploadItem<T>[]>([]);
  const pending = useRef<{ key: string; file: File }[]>([]);
  const files = useRef(new Map<string, File>());
  const running = useRef(0);
  const uploadRef = useRef(upload);
  const acceptedRef = useRef(onAccepted);
  useEffect(() => {
    uploadRef.current = upload;
    acceptedRef.current = onAccepted;
  });

  // Row changes are transitions: React renders them in slices it can interrupt and batches
  // the ones that come close together, so 500 rows moving at once never block the tab
  // (docs/performance.md, "The browser").
  const patch = useCallback((key: string, change: Partial<UploadItem<T>>) => {
    startTransition(() => setItems((all) => all.map((i) => (i.key === key ? { ...i, ...change } : i))));
  }, []);

  // Starts uploads until `parallel` are running; each one that ends starts the next.
  const pump = useCallback(() => {
    const startNext = () => {
      while (running.current < parallel && pending.current.length > 0) {
        const { key, file } = pending.current.shift()!;
        running.current += 1;
        const progress = (uploaded: number) => patch(key, { uploaded });
        const paused = (value: boolean) => patch(key, { paused: value });
        uploadRef.current(file, progress, paused).then(({ accepted, error, retryable }) => {
          running.current -= 1;
          if (accepted !== undefined) {
            files.current.delete(key);
            patch(key, { state: "accepted", accepted, uploaded: 1, paused: false });
            acceptedRef.current?.(accepted);
          } else {
            if (!retryable) files.current.delete(key);
            patch(key, { state: "rejected", error, retryable, paused: false });
          }
          startNext();
        });
      }
    };
    startNext();
  }, [patch, parallel]);

  const addFiles = useCallback(
    (list: FileList | File[]) => {
      const added = Array.from(list).map((file) => ({ key: crypto.randomUUID(), file }));
      if (added.length === 0) return;
      added.forEach(({ key, file }) => files.current.set(key, file));
      setItems((all) => [
        ...added.map(({ key, file }) => ({ key, name: file.name, size: file.size, state: "uploading" as const, uploaded: 0 })),
        ...all,
      ]);
      pending.current.push(...added);
      pump();
    },
    [pump],
  );

  /** Sends a retryable rejected file again. */
  const reupload = useCallback(
    (key: string) => {
      const file = files.current.get(key);
      if (!file) return;
      patch(key, { state: "uploading", uploaded: 0, error: undefined, retryable: undefined });
      pending.current.push({ key, file });
      pump();
    },
    [patch, pump],
  );

  return { items, setItems, patch, addFiles, reupload };
}
