// Runs in front of every page (Next 16's proxy, formerly middleware): a fresh CSP nonce
// per request, handed to Next.js in the request's Content-Security-Policy header (it reads
// the nonce from there and stamps it on its scripts) and sent to the browser with the
// other page security headers. Not API routes: a proxy buffers request bodies (10 MB by
// default), which would cut uploads short, and their headers come from next.config.ts.
// Not Bull Board (/admin/queues), which serves its own HTML without our nonce, nor the
// public podcast feeds and files (/feeds/), which are XML and media, never pages.
// Authorisation is NOT done here: every route and page checks its own user.
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { newNonce, pageSecurityHeaders } from "@/lib/security/headers";

export function proxy(request: NextRequest) {
  const config = env();
  const nonce = newNonce();
  const headers = pageSecurityHeaders(nonce, { dev: config.NODE_ENV === "development", https: config.APP_URL.startsWith("https:") });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]);
  requestHeaders.set("x-nonce", nonce);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [
    {
      // "/api" itself too: its answer (a JSON 404) is the API's, with the API's headers.
      source: "/((?!api/|api$|_next/static|_next/image|favicon.ico|admin/queues|feeds/).*)",
      // Prefetches of client navigations are not documents; they need no nonce.
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
