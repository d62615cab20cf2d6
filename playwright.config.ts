import { defineConfig } from "@playwright/test";

// End-to-end: the real app (web + worker, via `npm start`'s script) against real
// Postgres and Redis, driven in Debian's Chromium. Its own database, Redis prefix,
// data directory and port, so it never touches a developer's data.
const PORT = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: "node e2e/server.mjs",
    url: `http://127.0.0.1:${PORT}/signin`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      APP_URL: `http://127.0.0.1:${PORT}`,
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/framecast_e2e",
      QUEUE_PREFIX: process.env.E2E_QUEUE_PREFIX ?? "framecast-e2e",
      // This address is the admin (e2e/admin.spec.ts and e2e/route-matrix.spec.ts sign in with it).
      ADMIN_EMAIL: "admin@e2e.example.com",
      // No worker metrics server in e2e runs (another run on this machine may hold the port).
      WORKER_METRICS_PORT: process.env.E2E_WORKER_METRICS_PORT ?? "0",
      DATA_DIR: `${process.cwd()}/.e2e-data`,
      GEMINI_API_KEY: "",
      STORAGE_DRIVER: "local",
      // Every e2e request comes from 127.0.0.1 and the e2e database outlives a run, so the
      // per-address limits are raised here; their behaviour is tested in rate-limit.int.test.ts.
      RATE_LIMIT_SIGNUP_IP: "1000/1h",
      RATE_LIMIT_SIGNIN_IP: "1000/10m",
      // The route matrix calls each jobs route as several callers within seconds.
      RATE_LIMIT_BURST_SIZE: "1000",
      RATE_LIMIT_REQUESTS_PER_MINUTE: "10000",
    },
  },
});
