// Runs once when the Next.js server starts. The Node-only work lives in its own module so
// the Edge build of this file never sees Node APIs.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./instrumentation-node");
}
