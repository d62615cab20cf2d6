import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and heavy server-only packages stay out of the bundle; Node loads them at run time.
  serverExternalPackages: ["sharp", "bullmq", "ioredis", "pg", "@prisma/adapter-pg", "busboy", "@aws-sdk/client-s3"],
  poweredByHeader: false,
};

export default nextConfig;
