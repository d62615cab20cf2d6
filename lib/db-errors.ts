// Tells "Postgres could not be reached" apart from every other database error, so the
// worker waits an outage out instead of spending a job's attempts, and the HTTP edge
// answers 503 (try again) rather than 500. No imports: cheap to use anywhere.

/** Prisma's codes for "no database": unreachable, timed out, connection closed, pool starved. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** Driver adapter error kinds (lib/generated… @prisma/adapter-pg) that mean the same. */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/** SQLSTATEs: 08xxx connection exceptions, 57P01-03 shutdown/crash/starting up, 53300 too many connections. */
const SQLSTATE = /^(08...|57P0[123]|53300)$/;
const MESSAGES = /Connection terminated|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|Can't reach database server|Server has closed the connection/i;

interface Shape {
  name?: string;
  code?: unknown;
  message?: string;
  kind?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 4) return false;
  const e = err as Shape;
  if (typeof e.code === "string" && (PRISMA_CODES.has(e.code) || SQLSTATE.test(e.code))) return true;
  if (typeof e.kind === "string" && ADAPTER_KINDS.has(e.kind)) return true;
  if (e.kind === "postgres" && typeof e.code === "string" && SQLSTATE.test(e.code)) return true;
  if (typeof e.message === "string" && MESSAGES.test(e.message)) return true;
  return isDatabaseUnavailable(e.meta?.driverAdapterError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1);
}
