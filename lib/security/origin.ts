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

/** The hosts (host[:port]) a request may legitimately come from. */
function allowedHosts(request: Request, policy: OriginPolicy): Set<string> {
  const hosts = new Set<string>([new URL(policy.appUrl).host.toLowerCase()]);
  const host = request.headers.get("host") ?? new URL(request.url).host;
  if (host) hosts.add(host.toLowerCase());
  if (policy.trustProxy) {
    const forwarded = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim();
    if (forwarded) hosts.add(forwarded.toLowerCase());
  }
  return hosts;
}

export function isBearerRequest(request: Request): boolean {
  return /^bearer\s/i.test(request.headers.get("authorization") ?? "");
}

/** True when a state-changing request comes from another site (or cannot show it doesn't). */
export function isCrossSiteWrite(request: Request, policy: OriginPolicy): boolean {
  if (SAFE_METHODS.has(request.method.toUpperCase()) || isBearerRequest(request)) return false;
  const origin = request.headers.get("origin");
  if (origin) {
    let host: string;
    try {
      host = new URL(origin).host.toLowerCase();
    } catch {
      return true; // includes the literal "null" of sandboxed frames and file: pages
    }
    return !allowedHosts(request, policy).has(host);
  }
  const site = request.headers.get("sec-fetch-site");
  if (site) return site !== "same-origin" && site !== "none";
  // Neither header: not a current browser. Without a session cookie there is nothing to
  // forge (a script calling sign-in); with one, refuse rather than guess.
  return readCookie(request.headers.get("cookie"), SESSION_COOKIE) !== undefined;
}
