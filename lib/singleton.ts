// One instance per process of anything costly or stateful (a connection pool, a metrics
// registry, Redis clients, the logger's request context), however many copies of the
// module that makes it are loaded: Next loads a module once per route bundle, and again
// after each edit in dev, so a module-level variable would give every copy its own. The
// instances live on globalThis, in one map, under a key per kind.

const STORE = Symbol.for("framecast.singletons");

function store(): Map<string, unknown> {
  const global = globalThis as unknown as Record<symbol, Map<string, unknown> | undefined>;
  return (global[STORE] ??= new Map());
}

/** The process's instance under `key`, made by `make` on first use. */
export function singleton<T>(key: string, make: () => T): T {
  const instances = store();
  if (!instances.has(key)) instances.set(key, make());
  return instances.get(key) as T;
}

/**
 * Forgets the instance under `key` and hands it back (undefined if none was made), so a
 * close function can close it and the next use makes a fresh one.
 */
export function dropSingleton<T>(key: string): T | undefined {
  const instances = store();
  const instance = instances.get(key) as T | undefined;
  instances.delete(key);
  return instance;
}

/** Puts `instance` under `key` in place of any other (a test swaps in an instrumented one). */
export function replaceSingleton<T>(key: string, instance: T): void {
  store().set(key, instance);
}
