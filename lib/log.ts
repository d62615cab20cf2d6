// Structured JSON logs (pino), one line per event, level from LOG_LEVEL. Every line of a
// request carries its request id and every line of a job its job id: the route wrapper
// and the worker runtime put a child logger in AsyncLocalStorage, and `log()` returns it,
// so code deep in lib/ logs with the right id without a logger being passed around.
import { randomUUID } from "node:crypto";
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type DestinationStream, type Logger } from "pino";
import { env } from "@/lib/env";
import { singleton } from "@/lib/singleton";

export type { Logger };

/** Never written, wherever they appear in a logged object. */
const REDACT = [
  "authorization",
  "cookie",
  "password",
  "passwordHash",
  "token",
  "GEMINI_API_KEY",
  "METRICS_TOKEN",
  "S3_SECRET_ACCESS_KEY",
  "*.authorization",
  "*.cookie",
  "*.password",
  "*.passwordHash",
  "*.token",
  "*.GEMINI_API_KEY",
  "*.METRICS_TOKEN",
  "*.S3_SECRET_ACCESS_KEY",
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  "*.headers.authorization",
  "*.headers.cookie",
];

export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? env().LOG_LEVEL,
      redact: { paths: REDACT, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info" rather than 30: readable without pino's own tools.
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination,
  );
}

export interface LogState {
  root: Logger;
  context: AsyncLocalStorage<Logger>;
}

// One per process: Next may load this module once per route bundle, and the context must
// be the same object for the wrapper that sets it and the code that reads it.
export const LOG_SINGLETON = "log";

function state(): LogState {
  return singleton<LogState>(LOG_SINGLETON, () => ({ root: createLogger(), context: new AsyncLocalStorage<Logger>() }));
}

/** This process's root logger. */
export function rootLogger(): Logger {
  return state().root;
}

/** The logger of the request or job being handled (with its id), else the root logger. */
export function log(): Logger {
  const s = state();
  return s.context.getStore() ?? s.root;
}

/** Runs `fn` with `logger` as what `log()` returns, through every await inside it. */
export function withLogger<T>(logger: Logger, fn: () => T): T {
  return state().context.run(logger, fn);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The caller's X-Request-Id when it is a sane token (a proxy set it), else a new one. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}
