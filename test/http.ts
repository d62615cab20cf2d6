// Drives route handlers with real Request objects, the way Next's server calls them.
import { POST as signInRoute } from "@/app/api/auth/signin/route";
import { POST as signUpRoute } from "@/app/api/auth/signup/route";

export const BASE = "http://localhost:3000";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each route types its own params
type Handler = (request: Request, context: { params: Promise<any> }) => Promise<Response>;

export async function call(
  handler: Handler,
  opts: { path: string; method?: string; cookie?: string; body?: BodyInit; headers?: Record<string, string>; params?: Record<string, string>; signal?: AbortSignal },
): Promise<Response> {
  const headers = new Headers(opts.headers);
  if (opts.cookie) headers.set("cookie", opts.cookie);
  // What a browser sends with a same-origin fetch; without it a cookie-authenticated POST
  // is refused as cross-site (lib/security/origin.ts). Pass an "origin" header to override.
  const method = (opts.method ?? "GET").toUpperCase();
  if (method !== "GET" && method !== "HEAD" && !headers.has("origin")) headers.set("origin", BASE);
  const request = new Request(BASE + opts.path, {
    method: opts.method ?? "GET",
    headers,
    body: opts.body,
    signal: opts.signal,
    // @ts-expect-error Node's fetch needs this for streamed bodies
    duplex: "half",
  });
  return handler(request, { params: Promise.resolve(opts.params ?? {}) });
}

/** The session cookie ("fc_session=…") an answer sets. */
export const cookieOf = (res: Response) => res.headers.get("set-cookie")!.split(";")[0];

/** Creates an account and returns its session cookie ("fc_session=…"). */
export async function signUp(email: string, password = "a long enough password"): Promise<string> {
  const res = await call(signUpRoute as Handler, {
    path: "/api/auth/signup",
    method: "POST",
    body: JSON.stringify({ email, password }),
    headers: { "content-type": "application/json" },
  });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  return cookieOf(res);
}

/** Signs in (sending `cookie`, if any, as a browser that already has one would); the 200 answer, or throws. */
export async function signIn(email: string, password = "a long enough password", cookie?: string): Promise<Response> {
  const res = await call(signInRoute as Handler, {
    path: "/api/auth/signin",
    method: "POST",
    cookie,
    body: JSON.stringify({ email, password }),
    headers: { "content-type": "application/json" },
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return res;
}

export function photoForm(files: { name: string; bytes: Buffer; type?: string }[]): FormData {
  const form = new FormData();
  for (const f of files) form.append("files", new Blob([new Uint8Array(f.bytes)], { type: f.type ?? "image/jpeg" }), f.name);
  return form;
}

/** A multipart body for POST /api/v1/episodes: recordings in "file", plus any fields (showId). */
export function audioForm(files: { name: string; bytes: Buffer; type?: string }[], fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append("file", new Blob([new Uint8Array(f.bytes)], { type: f.type ?? "audio/mpeg" }), f.name);
  return form;
}

export interface SseMessage {
  event: string;
  id?: string;
  data: unknown;
}

/** Reads an SSE response until the server closes it (or `until` returns true). */
export async function readSse(response: Response, until?: (m: SseMessage) => boolean): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
      }
      if (!fields.data) continue;
      const message = { event: fields.event ?? "message", id: fields.id, data: JSON.parse(fields.data) };
      messages.push(message);
      if (until?.(message)) {
        await reader.cancel();
        return messages;
      }
    }
  }
  return messages;
}
