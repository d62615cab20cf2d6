import path from "node:path";
import { defineConfig } from "vitest/config";

// Unit tests (*.test.ts) and integration tests (*.int.test.ts, real Postgres and Redis)
// live beside the code. Playwright specs under e2e/ are run by `playwright test`.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    include: ["{lib,worker,app,components,prisma,scripts,test}/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
  },
});
