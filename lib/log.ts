// Structured logs (pino), one line per event, level from LOG_LEVEL: JSON when stdout is a
// pipe or a file (a log collector reads it), one readable line per event when it is a
// terminal (LOG_FORMAT overrides). Every line of a request carries its request id and
// every line of a job its job id: the route wrapper and the worker runtime put a child
// logger in AsyncLocalStorage, and `log()` returns it, so code deep in lib/ logs with the
// right id without a logger being passed around.
import { randomUUID } from "node:crypto";
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type DestinationStream, type Logger } from "pino";
import { env } from "@/lib/env";
import { singleton } from "@/lib/singleton";

export type { Logger };

/**
 * Never written: these keys at the top of a logged object (or of a child logger's fields)
 * and one level down (`config.GEMINI_API_KEY`, `user.password`), and the credential headers
 * in `headers` at either level (`headers.cookie`, `req.headers.authorization`).
 */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  "authorization",
  "cookie",
  "password",
  "passwordHash",
  "token",
  "GEMINI_API_KEY",
  "METRICS_TOKEN",
  "S3_SECRET_ACCESS_KEY",
]);
/** Under a top-level `headers` only (a response's). */
const TOP_HEADER_KEYS: ReadonlySet<string> = new Set(["set-cookie"]);
/** Under `headers` one level down. */
const NESTED_HEADER_KEYS: ReadonlySet<string> = new Set(["authorization", "cookie"]);
const CENSOR = "[redacted]";

type Fields = Record<string, unknown>;
const isObject = (v: unknown): v is Fields => typeof v === "object" && v !== null;

/**
 * `fields` with every secret replaced by "[redacted]". Copies only the objects that hold
 * one (an Error keeps its prototype, message and stack); anything else is returned as is.
 * This replaces pino's own `redact` option, whose path matcher cost ~25 µs per child logger
 * and ~60 µs per line — more than a queue job's whole bookkeeping (docs/performance.md).
 */
export function redactSecrets(fields: Fields, depth: 0 | 1 | 2 = 0, also?: ReadonlySet<string>): Fields {
  let changes: Fields | null = null;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    let next = value;
    if (depth === 2 ? NESTED_HEADER_KEYS.has(key) : SECRET_KEYS.has(key) || also?.has(key)) next = CENSOR;
    else if (depth === 0 && isObject(value)) next = redactSecrets(value, 1, key === "headers" ? TOP_HEADER_KEYS : undefined);
    else if (depth === 1 && key === "headers" && isObject(value)) next = redactSecrets(value, 2);
    if (next !== value) (changes ??= {})[key] = next;
  }
  if (!changes) return fields;
  const copy = Array.isArray(fields) ? [...fields] : Object.create(Object.getPrototypeOf(fields), Object.getOwnPropertyDescriptors(fields));
  return Object.assign(copy, changes);
}

export type LogFormat = "json" | "pretty";

/** LOG_FORMAT, or by where stdout goes: a terminal gets readable lines, anything else JSON. */
export function logFormat(setting: "auto" | LogFormat = env().LOG_FORMAT, isTTY = Boolean(process.stdout.isTTY)): LogFormat {
  return setting === "auto" ? (isTTY ? "pretty" : "json") : setting;
}

/**
 * A logger writing to `destination` (default stdout). JSON unless `format` says "pretty";
 * without a destination the format follows LOG_FORMAT and whether stdout is a terminal.
 */
export function createLogger(opts: { level?: string; destination?: DestinationStream; format?: LogFormat } = {}): Logger {
  const format = opts.format ?? (opts.destination ? "json" : logFormat());
  const destination = format === "pretty" ? prettyDestination(opts.destination ?? process.stdout) : opts.destination;
  const logger = pino(
    {
      level: opts.level ?? env().LOG_LEVEL,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        // "level":"info" rather than 30: readable without pino's own tools.
        level: (label) => ({ level: label }),
        log: (fields) => redactSecrets(fields),
      },
    },
    destination,
  );
  // A child's fields are serialised once, when it is made; pino gives children no formatter
  // of their own, so they are redacted here. Children inherit this method from the root.
  const makeChild = logger.child;
  logger.child = function (this: Logger, fields, options) {
    return makeChild.call(this, redactSecrets(fields), options);
  } as Logger["child"];
  return logger;
}

// ---------------------------------------------------------------- readable lines

const LEVEL_COLOUR: Record<string, string> = { trace: "90", debug: "90", info: "36", warn: "33", error: "31", fatal: "35" };
/** Fields every line has, or that a person at a terminal does not need. */
const QUIET_FIELDS = new Set(["level", "time", "msg", "pid", "hostname", "err"]);

function colours(): boolean {
  return !process.env.NO_COLOR && (Boolean(process.stdout.isTTY) || Boolean(process.env.FORCE_COLOR));
}

/** One JSON log line as a person reads it: `12:04:05 INFO  worker started queues=3 …`. */
export function prettyLine(json: string, colour = colours()): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith("\n") ? json : `${json}\n`;
  }
  const paint = (code: string, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const level = String(entry.level ?? "info");
  const time = typeof entry.time === "string" ? entry.time.slice(11, 19) : "";
  const fields = Object.entries(entry)
    .filter(([key, value]) => !QUIET_FIELDS.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === "string" && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  let line = `${paint("90", time)} ${paint(LEVEL_COLOUR[level] ?? "0", level.toUpperCase().padEnd(5))} ${String(entry.msg ?? "")}`;
  if (fields.length) line += ` ${paint("90", fields.join(" "))}`;
  const err = entry.err as { message?: string; stack?: string } | undefined;
  if (err) line += `\n${(err.stack ?? err.message ?? JSON.stringify(err)).replace(/^/gm, "    ")}`;
  return `${line}\n`;
}

/** A pino destination that writes each line readable to `out`. */
function prettyDestination(out: DestinationStream): DestinationStream {
  return { write: (line: string) => out.write(prettyLine(line)) };
}

/**
 * A logger made the first time something is logged with it: a worker runs thousands of
 * jobs a second that log nothing, and a child logger per job costs more than the rest of
 * its bookkeeping. Recognised by shape, not class, as the store is shared by every copy of
 * this module (Next loads one per route bundle).
 */
interface DeferredLogger {
  deferred: () => Logger;
  made?: Logger;
}

export interface LogState {
  root: Logger;
  context: AsyncLocalStorage<Logger | DeferredLogger>;
}

// One per process: Next may load this module once per route bundle, and the context must
// be the same object for the wrapper that sets it and the code that reads it.
export const LOG_SINGLETON = "log";

function state(): LogState {
  return singleton<LogState>(LOG_SINGLETON, () => ({ root: createLogger(), context: new AsyncLocalStorage<Logger | DeferredLogger>() }));
}

/** This process's root logger. */
export function rootLogger(): Logger {
  return state().root;
}

const isDeferred = (store: Logger | DeferredLogger): store is DeferredLogger => typeof (store as DeferredLogger).deferred === "function";

/** The logger of the request or job being handled (with its id), else the root logger. */
export function log(): Logger {
  const s = state();
  const store = s.context.getStore();
  if (!store) return s.root;
  return isDeferred(store) ? (store.made ??= store.deferred()) : store;
}

/**
 * Runs `fn` with `logger` as what `log()` returns, through every await inside it. Given a
 * function, the logger is made only if something inside logs.
 */
export function withLogger<T>(logger: Logger | (() => Logger), fn: () => T): T {
  return state().context.run(typeof logger === "function" ? { deferred: logger } : logger, fn);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The caller's X-Request-Id when it is a sane token (a proxy set it), else a new one. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}
