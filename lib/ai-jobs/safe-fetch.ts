// Fetches a web page for a job on behalf of an API caller without letting the caller reach
// our own network (SSRF): public http(s) addresses only, checked on every redirect, with the
// connection pinned to the address that was checked, and size, time and type limits.
//
// Why pin: resolving once to check and letting the HTTP client resolve again to connect
// leaves a window where a hostile DNS server answers "1.2.3.4" then "127.0.0.1" (DNS
// rebinding). Here the checked address is handed to the socket through `lookup`, so what
// was checked is what is connected to, while TLS still verifies the certificate (and sends
// SNI) for the hostname.
import { STATUS_CODES, type IncomingMessage } from "node:http";
import http from "node:http";
import https from "node:https";
import dns from "node:dns";
import net from "node:net";
import { pipeline, type Readable } from "node:stream";
import zlib from "node:zlib";
import { DomainError, InvalidInputError, RateLimitedError, RejectedInputError } from "@/lib/errors";

/**
 * The site could not be reached or failed on its side (refused connection, reset, 5xx):
 * worth another attempt later. lib/errors has no transient class yet; this is one.
 */
export class FetchFailedError extends DomainError {
  readonly kind = "transient";
  readonly code = "fetch_failed";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FetchFailedError";
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
/** Hostname → addresses. Default: the system resolver (getaddrinfo, so /etc/hosts counts). */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export interface SafeFetchOptions {
  /**
   * Let private addresses through: `true` for any host (tests against a stub on 127.0.0.1 —
   * map a test-only setting onto it, never a production one), or a list of exact hostnames
   * (an operator's intranet wiki). Everything else is still checked, including redirects.
   */
  allowPrivateHosts?: boolean | readonly string[];
  /** Bytes of (decompressed) body; default 5 MB. */
  maxBytes?: number;
  /** For the whole fetch, redirects and body included; default 10 s. */
  timeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  resolve?: Resolve;
  /** The job's cancel signal. */
  signal?: AbortSignal;
  userAgent?: string;
  /** Field named in InvalidInputError (default "url"; e.g. "payload.url"). */
  field?: string;
}

export interface FetchedPage {
  /** The final address, after redirects. */
  url: string;
  redirects: string[];
  status: number;
  /** "text/html", "application/xhtml+xml" or "text/plain". */
  mimeType: string;
  charset: string;
  body: string;
  bytes: number;
}

export const FETCH_LIMITS = { maxBytes: 5 * 1024 * 1024, timeoutMs: 10_000, maxRedirects: 5 } as const;
export const ACCEPTED_TYPES = ["text/html", "application/xhtml+xml", "text/plain"] as const;
const DEFAULT_UA = "Framecast/1.0 (+https://github.com/framecast; article extraction)";

// ---------------------------------------------------------------------------------------
// Addresses

function parseIPv4(ip: string): number[] | null {
  if (!net.isIPv4(ip)) return null;
  return ip.split(".").map(Number);
}

/** 16 bytes of an IPv6 address (zone id dropped, trailing dotted quad allowed), or null. */
function parseIPv6(ip: string): number[] | null {
  const bare = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!net.isIPv6(bare)) return null;
  let text = bare;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseIPv4(dotted[1]);
    if (!v4) return null;
    tail.push(...v4);
    text = text.slice(0, -dotted[1].length) + "0:0"; // placeholder groups, replaced below
  }
  const [head, rest] = text.includes("::") ? text.split("::") : [text, null];
  const groups = (s: string) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const r = rest === null ? [] : groups(rest);
  const fill = rest === null ? 0 : 8 - h.length - r.length;
  const all = [...h, ...new Array<number>(fill).fill(0), ...r];
  if (all.length !== 8) return null;
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

function inPrefix(bytes: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((bytes[byte] & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

type Range = [prefix: number[], bits: number, label: string];
const PRIVATE = "a private network address";
const RESERVED = "a reserved address";
const METADATA = "the cloud metadata service";

const V4_RANGES: Range[] = [
  [[169, 254, 169, 254], 32, METADATA], // AWS, GCP, Azure, OpenStack
  [[100, 100, 100, 200], 32, METADATA], // Alibaba Cloud
  [[0, 0, 0, 0], 8, "an unspecified address"],
  [[10, 0, 0, 0], 8, PRIVATE],
  [[100, 64, 0, 0], 10, "a carrier-grade NAT address"],
  [[127, 0, 0, 0], 8, "a loopback address"],
  [[169, 254, 0, 0], 16, "a link-local address"],
  [[172, 16, 0, 0], 12, PRIVATE],
  [[192, 0, 0, 0], 24, RESERVED],
  [[192, 0, 2, 0], 24, RESERVED],
  [[192, 88, 99, 0], 24, RESERVED],
  [[192, 168, 0, 0], 16, PRIVATE],
  [[198, 18, 0, 0], 15, RESERVED],
  [[198, 51, 100, 0], 24, RESERVED],
  [[203, 0, 113, 0], 24, RESERVED],
  [[224, 0, 0, 0], 4, "a multicast address"],
  [[240, 0, 0, 0], 4, RESERVED], // includes 255.255.255.255
];

const v6 = (s: string) => parseIPv6(s)!;
const V6_RANGES: Range[] = [
  [v6("fd00:ec2::254"), 128, METADATA], // AWS over IPv6
  [v6("::"), 128, "an unspecified address"],
  [v6("::1"), 128, "a loopback address"],
  [v6("::"), 96, RESERVED], // deprecated IPv4-compatible addresses
  [v6("64:ff9b:1::"), 48, PRIVATE], // local-use NAT64
  [v6("100::"), 64, RESERVED], // discard-only
  [v6("2001::"), 23, RESERVED], // IETF protocol assignments (Teredo, ORCHID, …)
  [v6("2001:db8::"), 32, RESERVED], // documentation
  [v6("fc00::"), 7, "a private network address (IPv6 unique local)"],
  [v6("fe80::"), 10, "a link-local address"],
  [v6("fec0::"), 10, RESERVED], // old site-local
  [v6("ff00::"), 8, "a multicast address"],
];

/** Prefixes that carry an IPv4 address inside, judged by that address. */
const EMBEDDED_V4: [prefix: number[], bits: number, offset: number, label: string][] = [
  [v6("::ffff:0:0"), 96, 12, "an IPv4-mapped form of"],
  [v6("64:ff9b::"), 96, 12, "a NAT64 form of"],
  [v6("2002::"), 16, 2, "a 6to4 form of"],
];

/**
 * Why an address must not be fetched ("a loopback address", "the cloud metadata service"),
 * or null for a public address. Accepts IPv4, IPv6 (bracketed or not), IPv4-mapped IPv6.
 */
export function blockedAddressReason(ip: string): string | null {
  const four = parseIPv4(ip);
  if (four) return V4_RANGES.find(([p, bits]) => inPrefix(four, p, bits))?.[2] ?? null;
  const six = parseIPv6(ip);
  if (!six) return "not an IP address";
  for (const [prefix, bits, offset, label] of EMBEDDED_V4) {
    if (inPrefix(six, prefix, bits)) {
      const inner = six.slice(offset, offset + 4);
      const reason = V4_RANGES.find(([p, b]) => inPrefix(inner, p, b))?.[2];
      return reason ? `${label} ${reason}` : null;
    }
  }
  return V6_RANGES.find(([p, bits]) => inPrefix(six, p, bits))?.[2] ?? null;
}

export function isPublicAddress(ip: string): boolean {
  return blockedAddressReason(ip) === null;
}

const systemResolve: Resolve = async (hostname) => {
  const found = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

// ---------------------------------------------------------------------------------------
// Fetching

interface Ctx {
  field: string;
  allow: boolean | readonly string[];
  resolve: Resolve;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  userAgent: string;
  signal: AbortSignal;
}

const invalid = (ctx: Ctx, message: string) => new InvalidInputError({ [ctx.field]: message }, message);

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
}

/** Scheme and shape of an address the caller gave or a page redirected to. */
function checkUrl(raw: string, base: URL | null, ctx: Ctx): URL {
  let url: URL;
  try {
    url = base ? new URL(raw, base) : new URL(raw);
  } catch {
    throw invalid(ctx, base ? `The page redirected to "${raw}", which is not a valid address.` : "This is not a valid web address.");
  }
  const where = base ? `The page redirected to ${url.href}, but only` : "Only";
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid(ctx, `${where} http:// and https:// addresses can be fetched.`);
  if (url.username || url.password) throw invalid(ctx, "Addresses with a user name or password cannot be fetched.");
  if (!url.hostname) throw invalid(ctx, "The address has no host name.");
  return url;
}

function privateAllowed(host: string, ctx: Ctx): boolean {
  return ctx.allow === true || (Array.isArray(ctx.allow) && ctx.allow.some((h) => h.toLowerCase() === host));
}

async function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw signal.reason;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Resolves the host and checks every address it has; returns the one to connect to. */
async function pickAddress(url: URL, redirected: boolean, ctx: Ctx): Promise<ResolvedAddress> {
  const host = hostOf(url);
  let addresses: ResolvedAddress[];
  if (net.isIP(host)) addresses = [{ address: host, family: net.isIPv6(host) ? 6 : 4 }];
  else {
    try {
      addresses = await raceAbort(ctx.resolve(host), ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOTFOUND" || code === "ENODATA") throw invalid(ctx, `No server called ${host} could be found; check the address.`);
      throw new FetchFailedError(`Could not look up ${host} (${code ?? "DNS error"}); try again later.`, { cause: err });
    }
    if (addresses.length === 0) throw invalid(ctx, `No server called ${host} could be found; check the address.`);
  }
  if (!privateAllowed(host, ctx)) {
    // Every address must be public: a name that resolves to both a public and a private
    // address would otherwise let the connection land on the private one.
    for (const a of addresses) {
      const reason = blockedAddressReason(a.address);
      if (reason) {
        const what = net.isIP(host) ? `${host} is ${reason}` : `${host} points to ${reason} (${a.address})`;
        throw invalid(ctx, `${redirected ? `The page redirected to ${url.href}, but ${what}` : what}; only public web addresses can be fetched.`);
      }
    }
  }
  return addresses[0];
}

function pinnedLookup(pinned: ResolvedAddress): net.LookupFunction {
  return ((_hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as unknown as net.LookupFunction;
}

function send(url: URL, pinned: ResolvedAddress, ctx: Ctx): Promise<IncomingMessage> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: "GET",
        agent: false, // no pooled socket: each request connects to its own checked address
        lookup: pinnedLookup(pinned),
        signal: ctx.signal,
        headers: {
          "user-agent": ctx.userAgent,
          accept: "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
          "accept-encoding": "gzip, deflate, br",
        },
      },
      resolve,
    );
    req.on("error", reject);
    req.end();
  });
}

function decoderStream(res: IncomingMessage): Readable {
  const encoding = String(res.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  const make =
    encoding === "gzip" || encoding === "x-gzip"
      ? zlib.createGunzip()
      : encoding === "deflate"
        ? zlib.createInflate()
        : encoding === "br"
          ? zlib.createBrotliDecompress()
          : null;
  if (encoding === "identity" || encoding === "") return res;
  if (!make) {
    res.destroy();
    throw new RejectedInputError("unsupported", `The page is compressed with "${encoding}", which cannot be read.`);
  }
  return pipeline(res, make, () => {});
}

/** Reads at most maxBytes of (decompressed) body; more is refused, not cut. */
async function readBody(res: IncomingMessage, url: URL, ctx: Ctx): Promise<Buffer> {
  const stream = decoderStream(res);
  const onAbort = () => stream.destroy(ctx.signal.reason);
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > ctx.maxBytes) {
        stream.destroy();
        res.destroy();
        throw tooLarge(url, ctx);
      }
      chunks.push(chunk as Buffer);
    }
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }
  return Buffer.concat(chunks);
}

function tooLarge(url: URL, ctx: Ctx): RejectedInputError {
  return new RejectedInputError("too_large", `The page at ${url.host} is larger than ${Math.round(ctx.maxBytes / 1024 / 1024)} MB, the most that can be read.`);
}

/** Charset from the header, else a BOM, else an HTML <meta>, else UTF-8. */
function decode(body: Buffer, headerCharset: string | null, mimeType: string): { text: string; charset: string } {
  let charset = headerCharset;
  if (!charset) {
    if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) charset = "utf-8";
    else if (body[0] === 0xff && body[1] === 0xfe) charset = "utf-16le";
    else if (body[0] === 0xfe && body[1] === 0xff) charset = "utf-16be";
    else if (mimeType !== "text/plain") {
      const head = body.subarray(0, 2048).toString("latin1");
      charset = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1] ?? null;
    }
  }
  try {
    return { text: new TextDecoder(charset ?? "utf-8").decode(body), charset: (charset ?? "utf-8").toLowerCase() };
  } catch {
    return { text: new TextDecoder("utf-8").decode(body), charset: "utf-8" };
  }
}

function retryAfterMs(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return 60_000;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : 60_000;
}

function statusError(status: number, url: URL, res: IncomingMessage, ctx: Ctx): Error {
  const label = `${status} ${STATUS_CODES[status] ?? ""}`.trim();
  if (status === 429) return new RateLimitedError(`${url.host} asked us to slow down (429); the job will try again.`, retryAfterMs(res.headers["retry-after"]));
  if (status >= 500) return new FetchFailedError(`${url.host} had a problem answering (${label}); try again later.`);
  if (status === 401 || status === 403) return invalid(ctx, `The page at ${url.href} is not public (${label}).`);
  if (status === 404 || status === 410) return invalid(ctx, `The page at ${url.href} was not found (${label}); check the address.`);
  return invalid(ctx, `The page at ${url.href} answered ${label}.`);
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

function connectionError(err: unknown, url: URL, ctx: Ctx): Error {
  if (err instanceof DomainError) return err;
  const code = (err as NodeJS.ErrnoException)?.code ?? "";
  if (TLS_CODES.test(code)) return invalid(ctx, `${url.host}'s security certificate is not valid (${code}).`);
  if (code.startsWith("HPE_")) return new RejectedInputError("damaged", `${url.host} did not answer with valid HTTP.`, { cause: err });
  return new FetchFailedError(`Could not reach ${url.host} (${code || (err as Error)?.message || "connection failed"}); try again later.`, { cause: err });
}

/**
 * GETs a page for extraction: see the file header for the rules. Throws InvalidInputError
 * (bad or forbidden address, 4xx), RejectedInputError (wrong type, too large, too slow),
 * RateLimitedError (429), FetchFailedError (unreachable, 5xx), or the signal's reason
 * when the job is canceled.
 */
export async function safeFetch(input: string, options: SafeFetchOptions = {}): Promise<FetchedPage> {
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? FETCH_LIMITS.timeoutMs;
  const timedOut = new Error("safe-fetch timeout");
  const timer = setTimeout(() => controller.abort(timedOut), timeoutMs);
  const onCancel = () => controller.abort(options.signal!.reason);
  if (options.signal?.aborted) onCancel();
  options.signal?.addEventListener("abort", onCancel, { once: true });
  const ctx: Ctx = {
    field: options.field ?? "url",
    allow: options.allowPrivateHosts ?? false,
    resolve: options.resolve ?? systemResolve,
    maxBytes: options.maxBytes ?? FETCH_LIMITS.maxBytes,
    timeoutMs,
    maxRedirects: options.maxRedirects ?? FETCH_LIMITS.maxRedirects,
    userAgent: options.userAgent ?? DEFAULT_UA,
    signal: controller.signal,
  };

  let url: URL | null = null;
  const redirects: string[] = [];
  try {
    url = checkUrl(input.trim(), null, ctx);
    for (;;) {
      const pinned = await pickAddress(url, redirects.length > 0, ctx);
      let res: IncomingMessage;
      try {
        res = await send(url, pinned, ctx);
      } catch (err) {
        if (controller.signal.aborted) throw controller.signal.reason;
        throw connectionError(err, url, ctx);
      }
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304) {
        res.destroy();
        const location = res.headers.location;
        if (!location) throw invalid(ctx, `The page at ${url.href} redirected (${status}) without saying where to.`);
        if (redirects.length >= ctx.maxRedirects) {
          throw invalid(ctx, `The page redirected more than ${ctx.maxRedirects} times; give the final address instead.`);
        }
        url = checkUrl(location, url, ctx);
        redirects.push(url.href);
        continue;
      }
      if (status < 200 || status >= 300) {
        res.destroy();
        throw statusError(status, url, res, ctx);
      }
      const [typePart, ...params] = String(res.headers["content-type"] ?? "").split(";");
      const mimeType = typePart.trim().toLowerCase();
      if (!(ACCEPTED_TYPES as readonly string[]).includes(mimeType)) {
        res.destroy();
        throw new RejectedInputError(
          "wrong_type",
          `The page at ${url.href} is ${mimeType ? `"${mimeType}"` : "of an unstated type"}; only HTML and plain-text pages can be read.`,
        );
      }
      const length = Number(res.headers["content-length"]);
      if (Number.isFinite(length) && length > ctx.maxBytes && !res.headers["content-encoding"]) {
        res.destroy();
        throw tooLarge(url, ctx);
      }
      let body: Buffer;
      try {
        body = await readBody(res, url, ctx);
      } catch (err) {
        if (controller.signal.aborted) throw controller.signal.reason;
        throw connectionError(err, url, ctx);
      }
      const headerCharset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]+)/i.exec(p)?.[1]).find(Boolean) ?? null;
      const { text, charset } = decode(body, headerCharset, mimeType);
      return { url: url.href, redirects, status, mimeType, charset, body: text, bytes: body.length };
    }
  } catch (err) {
    if (err === timedOut || controller.signal.reason === timedOut) {
      throw new RejectedInputError("too_long", `The page at ${url?.host ?? input} did not finish loading within ${Math.round(timeoutMs / 100) / 10} seconds.`);
    }
    throw err;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onCancel);
  }
}
