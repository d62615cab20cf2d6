import type { NextConfig } from "next";
import { COMMON_SECURITY_HEADERS } from "./lib/security/headers";

const asList = (headers: Record<string, string>) => Object.entries(headers).map(([key, value]) => ({ key, value }));

const nextConfig: NextConfig = {
  // Native and heavy server-only packages stay out of the bundle; Node loads them at run time.
  serverExternalPackages: [
    "sharp", "bullmq", "ioredis", "pg", "@prisma/adapter-pg", "busboy", "@aws-sdk/client-s3",
    // Bull Board finds its UI files with require.resolve at run time; pino and prom-client
    // keep one logger context and one metrics registry per process when loaded by Node.
    "@bull-board/api", "@bull-board/hono", "@bull-board/ui", "pino", "prom-client",
    // The tus server and its file store stream request bodies to disk; Node loads them as they are.
    "@tus/server", "@tus/file-store",
  ],
  poweredByHeader: false,
  // forbidden() in pages: a real 403 for signed-in people who are not admins.
  experimental: { authInterrupts: true },
  // Security headers on every response. No Content-Security-Policy here: pages get theirs,
  // with a nonce, from proxy.ts, and route handlers from route() (lib/http/route.ts). Next
  // sets these headers before a handler runs and keeps them over the handler's own, so a
  // CSP here would replace the sandbox policy of file answers (lib/http/files.ts).
  async headers() {
    return [
      { source: "/:path*", headers: asList(COMMON_SECURITY_HEADERS) },
      // Public podcast feeds and files: podcast apps' web players load them from other sites.
      { source: "/feeds/:path*", headers: asList({ "Cross-Origin-Resource-Policy": "cross-origin" }) },
    ];
  },
};

export default nextConfig;
