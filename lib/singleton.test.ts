import { describe, expect, it, vi } from "vitest";

describe("singleton", () => {
  it("gives every copy of a module the same instance, made once", async () => {
    const make = vi.fn(() => ({ pool: "one" }));
    const first = await import("./singleton");
    vi.resetModules(); // a second copy, as Next loads one per route bundle
    const second = await import("./singleton");
    expect(second).not.toBe(first);
    expect(first.singleton("test:pool", make)).toBe(second.singleton("test:pool", make));
    expect(make).toHaveBeenCalledTimes(1);
  });

  it("makes a fresh one after it is dropped, and hands the old one back for closing", async () => {
    const { dropSingleton, singleton } = await import("./singleton");
    const old = singleton("test:client", () => ({ id: 1 }));
    expect(dropSingleton("test:client")).toBe(old);
    expect(dropSingleton("test:client")).toBeUndefined();
    expect(singleton("test:client", () => ({ id: 2 }))).toEqual({ id: 2 });
  });

  it("keeps nothing when making one fails, so the next use tries again", async () => {
    const { singleton } = await import("./singleton");
    expect(() => singleton("test:flaky", () => { throw new Error("Redis is down"); })).toThrow("Redis is down");
    expect(singleton("test:flaky", () => "up")).toBe("up");
  });

  it("lets a test swap in its own instance", async () => {
    const { replaceSingleton, singleton } = await import("./singleton");
    singleton("test:logger", () => "default");
    replaceSingleton("test:logger", "instrumented");
    expect(singleton("test:logger", () => "default")).toBe("instrumented");
  });
});
