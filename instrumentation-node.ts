// Refuse to serve on an out-of-date schema, with a message that says how to fix it,
// rather than failing request by request.
import { env } from "@/lib/env";
import { schemaProblem } from "@/lib/schema-check";

const problem = await schemaProblem(env().DATABASE_URL, env().DATABASE_SCHEMA);
if (problem) {
  console.error(`[web] ${problem}`);
  process.exit(1);
}
