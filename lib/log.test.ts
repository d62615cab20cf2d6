import { route } from "@/lib/http/route";
import { Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { createLogger, log, logFormat, prettyLine, requestIdFrom, withLogger } from "./log";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "info", destination }) };
}

// Keep the deliberate 500 below out of the test output (env() is read lazily, after this).
process.env.LOG_LEVEL ??= "fatal";

describe("logs", () => {
  it("are JSON lines with a readable level, and every line inside a context carries its id", async () => {
    const { lines, logger } = capture();
    await withLogger(logger.child({ requestId: "req-1" }), async () => {
      await new Promise((r) => setTimeout(r, 1));
      log().info({ photos: 3 }, "accepted");
    });
    expect(lines).toEqual([expect.objectContaining({ level: "info", requestId: "req-1", photos: 3, msg: "accepted", time: expect.any(String) })]);
  });

  it("never write credentials", () => {
    const { lines, logger } = capture();
    logger.info(
      { headers: { authorization: "Bearer s3cret", cookie: "fc_session=abc" }, config: { GEMINI_API_KEY: "AIza-secret" }, password: "hunter2" },
      "incoming",
    );
    const text = JSON.stringify(lines);
    for (const secret of ["s3cret", "fc_session=abc", "AIza-secret", "hunter2"]) expect(text).not.toContain(secret);
    expect(text).toContain("[redacted]");
  });

  it("redact every rule: top level, one level down, header credentials at either level, child fields, errors", () => {
    const { lines, logger } = capture();
    const err = Object.assign(new Error("refused"), { token: "tok-in-error" });
    logger.child({ queue: "media", config: { METRICS_TOKEN: "tok-bound" } }).child({ password: "pw-bound" }).info(
      {
        token: "tok-top",
        user: { passwordHash: "hash-1", name: "ann" },
        headers: { authorization: "Bearer a1", cookie: "c1", "set-cookie": "sc1", accept: "*/*" },
        req: { headers: { authorization: "Bearer a2", cookie: "c2" } },
        err,
      },
      "checked",
    );
    const [line] = lines;
    const text = JSON.stringify(line);
    for (const secret of ["tok-bound", "pw-bound", "tok-top", "hash-1", "a1", "c1", "sc1", "a2", "c2", "tok-in-error"]) expect(text).not.toContain(secret);
    expect(line).toMatchObject({ queue: "media", config: { METRICS_TOKEN: "[redacted]" }, password: "[redacted]", user: { name: "ann", passwordHash: "[redacted]" }, headers: { accept: "*/*", "set-cookie": "[redacted]" } });
    // The error is still serialised as an error, and the caller's objects are untouched.
    expect(line.err).toMatchObject({ message: "refused", type: "Error", token: "[redacted]" });
    expect(err.token).toBe("tok-in-error");
  });

  it("take the caller's request id only when it is a sane token", () => {
    expect(requestIdFrom(new Headers({ "x-request-id": "lb-7f3a.2" }))).toBe("lb-7f3a.2");
    expect(requestIdFrom(new Headers({ "x-request-id": "a b" }))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(new Headers())).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("route() answers with the request id, also on errors", async () => {
    const failing = route(async () => {
      throw new Error("boom");
    });
    const res = await failing(new Request("http://x/api/thing", { headers: { "x-request-id": "trace-9" } }), {});
    expect(res.status).toBe(500);
    expect(res.headers.get("x-request-id")).toBe("trace-9");
    expect(JSON.stringify(await res.json())).not.toContain("boom");
  });

  it("are readable lines at a terminal and JSON anywhere else, unless LOG_FORMAT says", () => {
    expect(logFormat("auto", true)).toBe("pretty");
    expect(logFormat("auto", false)).toBe("json");
    expect(logFormat("json", true)).toBe("json");
    expect(logFormat("pretty", false)).toBe("pretty");

    const written: string[] = [];
    const logger = createLogger({ level: "info", format: "pretty", destination: { write: (line: string) => written.push(line) } });
    logger.child({ queue: "media-analysis", jobId: "analyze-1" }).warn({ attempt: 2, password: "hunter2", reason: "two words" }, "retrying");
    const line = stripVTControlCharacters(written.join(""));
    expect(line).toMatch(/^\d\d:\d\d:\d\d WARN  retrying queue=media-analysis jobId=analyze-1 attempt=2 password=\[redacted\] reason="two words"\n$/);
    expect(line).not.toContain("hunter2");
  });

  it("show an error's stack under its readable line", () => {
    const line = prettyLine(JSON.stringify({ level: "error", time: "2026-12-01T10:00:00.000Z", msg: "job failed", err: { message: "boom", stack: "Error: boom\n    at x (y.ts:1:1)" } }), false);
    expect(line).toBe("10:00:00 ERROR job failed\n    Error: boom\n        at x (y.ts:1:1)\n");
  });
});
