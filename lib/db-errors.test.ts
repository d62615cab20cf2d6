import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./db-errors";

describe("isDatabaseUnavailable", () => {
  it("recognises Prisma's no-database errors, whatever the wording", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("\nInvalid invocation\nCan't reach database server at 127.0.0.1:5440"), { code: "P1001" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "P1017" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("pool"), { code: "P2024" }))).toBe(true);
  });

  it("looks inside the driver adapter error Prisma wraps", () => {
    const adapter = Object.assign(new Error("DriverAdapterError"), { cause: { kind: "postgres", code: "57P01", message: "terminating connection due to administrator command" } });
    expect(isDatabaseUnavailable(Object.assign(new Error("query failed"), { code: "P2010", meta: { driverAdapterError: adapter } }))).toBe(true);
    expect(isDatabaseUnavailable({ name: "DriverAdapterError", cause: { kind: "ConnectionClosed" } })).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
  });

  it("leaves real query errors alone: they are bugs or bad input, not outages", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("Unique constraint failed"), { code: "P2002" }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("Record not found"), { code: "P2025" }))).toBe(false);
    expect(isDatabaseUnavailable({ kind: "postgres", code: "23505", message: "duplicate key" })).toBe(false);
    expect(isDatabaseUnavailable(new Error("connect ECONNREFUSED 127.0.0.1:443"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
