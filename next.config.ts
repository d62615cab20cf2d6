import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and heavy server-only packages stay out of the bundle; Node loads them at run time.
  serverExternalPackages: [
    "sharp", "bullmq", "ioredis", "pg", "@prisma/adapter-pg", "busboy", "@aws-sdk/client-s3",
    // Bull Board finds its UI files with require.resolve at run time; pino and prom-client
    // keep one logger context and one metrics registry per process when loaded by Node.
    "@bull-board/api", "@bull-board/hono", "@bull-board/ui", "pino", "prom-client",
  ],
  poweredByHeader: false,
  // forbidden() in pages: a real 403 for signed-in people who are not admins.
  experimental: { authInterrupts: true },
};

export default nextConfig;
