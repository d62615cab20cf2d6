// Lint: Next.js's recommended rules (React, hooks, Core Web Vitals) with typescript-eslint.
// `npm test` runs it with --max-warnings 0: a warning is either fixed or justified where it
// is disabled, never left to pile up.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  {
    rules: {
      // Where a pattern strips control characters on purpose, it says so with a disable comment.
      "no-control-regex": "error",
      // `_`-prefixed names are deliberately unused (a handler's signature, a destructured rest).
      "@typescript-eslint/no-unused-vars": ["warn", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  globalIgnores([".next/**", "lib/generated/**", "node_modules/**", "test-results/**", "playwright-report/**", ".e2e-data/**", "data/**", "bench/results/**", "next-env.d.ts"]),
]);
