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
  return pino(
    {
      level: opts.level ?? env().LOG_LEVEL,
      redact: { paths: REDACT, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info" rather than 30: readable without pino's own tools.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
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
