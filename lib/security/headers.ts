// The security headers. Pages get a Content-Security-Policy with a fresh nonce per
// request (proxy.ts): Next.js puts that nonce on its own inline and bundle scripts, so
// script-src needs neither 'unsafe-inline' nor a list of hosts, and 'strict-dynamic' lets
// those scripts load the chunks they need. Styles keep 'unsafe-inline': React writes
// style attributes (progress bars, colour swatches), which nonces cannot cover, and CSS
// cannot run code. Every other response gets the static set in next.config.ts.

/** Headers for every response, pages and API alike. */
export const COMMON_SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), browsing-topics=()",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** API answers are data, never documents: nothing may load or frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Bull Board (/admin/queues) serves its own HTML: same-origin scripts and styles, inline
 * style attributes, a <base href>; no inline script, no eval. Its Google Fonts stylesheet
 * is left out on purpose (no third-party requests from the admin console; it cannot load
 * offline anyway).
 */
export const BULL_BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function pageCsp(nonce: string, opts: { dev: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    // 'unsafe-eval' only under `next dev`, where React rebuilds error stacks with eval.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self'",
    // The service worker (public/sw.js) and the web app manifest, both same-origin.
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** Headers only a page response carries (HSTS only when served over HTTPS). */
export function pageSecurityHeaders(nonce: string, opts: { dev: boolean; https: boolean }): Record<string, string> {
  return {
    ...COMMON_SECURITY_HEADERS,
    "Content-Security-Policy": pageCsp(nonce, opts),
    ...(opts.https ? { "Strict-Transport-Security": "max-age=31536000" } : {}),
  };
}

/** 128 random bits, base64: what a CSP nonce should be. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
