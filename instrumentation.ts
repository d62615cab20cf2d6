// Runs once when the Next.js server starts: refuse to serve on an out-of-date schema,
// with a message that says how to fix it, rather than failing request by request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/env");
  const { schemaProblem } = await import("@/lib/schema-check");
  const problem = await schemaProblem(env().DATABASE_URL, env().DATABASE_SCHEMA);
  if (problem) {
    console.error(`[web] ${problem}`);
    process.exit(1);
  }
}
