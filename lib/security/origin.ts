// CSRF defence for cookie sessions: a request that changes something must come from a
// page of this app. Browsers send Origin on every cross-origin request and on every
// same-origin non-GET fetch/form post, and an attacker's page cannot forge it; where it is
// missing, Sec-Fetch-Site says the same thing. SameSite=Lax cookies already keep most
// cross-site posts out; this also stops same-site attackers (a sibling subdomain) and
// browsers without SameSite. Requests carrying `Authorization: Bearer` are exempt: a token
// is not sent ambiently, and a cross-origin page cannot add that header without a CORS
// preflight, which this app never grants. route() (lib/http/route.ts) applies this to
// every route handler.
import { SESSION_COOKIE, readCookie } from "@/lib/auth/session";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface OriginPolicy {
  /** The public base URL (APP_URL). */
  appUrl: string;
  /** Trust X-Forwarded-Host (set by our own proxy). */
  trustProxy: boolean;
}

/**
 * The origins (scheme://host[:port]) a request may legitimately come from: APP_URL's, and
 * the one the request was sent to: its Host with the scheme it arrived over or, behind a
 * trusted proxy, the one the proxy says the browser used (X-Forwarded-Host, with
 * X-Forwarded-Proto or else APP_URL's scheme).
 * Scheme, host and port all count: https://localhost:3000 is not http://localhost:3000.
 */
function allowedOrigins(request: Request, policy: OriginPolicy): Set<string> {
  const origins = new Set<string>([new URL(policy.appUrl).origin]);
  const url = new URL(request.url);
  const add = (scheme: string, host: string | null | undefined) => {
    if (!host) return;
    try {
      origins.add(new URL(`${scheme}//${host}`).origin);
    } catch {
      /* not a host */
    }
  };
  if (!policy.trustProxy) {
    add(url.protocol, request.headers.get("host") ?? url.host);
    return origins;
  }
  // Behind a proxy, the connection we see is the proxy's: what the browser used is what
  // the proxy forwards. One that names no scheme means the public one, APP_URL's.
  const first = (name: string) => request.headers.get(name)?.split(",")[0]?.trim() || undefined;
  const proto = first("x-forwarded-proto")?.toLowerCase();
  const scheme = proto === "https" || proto === "http" ? `${proto}:` : new URL(policy.appUrl).protocol;
  add(scheme, first("x-forwarded-host") ?? request.headers.get("host") ?? url.host);
  return origins;
}

export function isBearerRequest(request: Request): boolean {
  return /^bearer\s/i.test(request.headers.get("authorization") ?? "");
}

/** True when a state-changing request comes from another site (or cannot show it doesn't). */
export function isCrossSiteWrite(request: Request, policy: OriginPolicy): boolean {
  if (SAFE_METHODS.has(request.method.toUpperCase()) || isBearerRequest(request)) return false;
  const origin = request.headers.get("origin");
  if (origin) {
    let from: string;
    try {
      from = new URL(origin).origin;
    } catch {
      return true;
    }
    // Sandboxed frames send "null", which does not parse; file: and other opaque origins
    // parse to "null". Both are refused.
    return from === "null" || !allowedOrigins(request, policy).has(from);
  }
  const site = request.headers.get("sec-fetch-site");
  if (site) return site !== "same-origin" && site !== "none";
  // Neither header: not a current browser. Without a session cookie there is nothing to
  // forge (a script calling sign-in); with one, refuse rather than guess.
  return readCookie(request.headers.get("cookie"), SESSION_COOKIE) !== undefined;
}
