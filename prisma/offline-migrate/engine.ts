// Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm), loaded by
// hand, and its errors made readable. The same engine the CLI runs natively.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

export type WasmBindings = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
let wasmBindings: Promise<WasmBindings> | undefined;

/**
 * The package's entry point imports the .wasm file as an ES module, which Node 20 cannot
 * do without a flag, so we instantiate it by hand, once per process (compiling the 5 MB
 * module is the slowest step).
 */
export function loadWasm(): Promise<WasmBindings> {
  wasmBindings ??= (async () => {
    const require = createRequire(import.meta.url);
    const bgPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    // Import by file URL: a bare specifier fails under tsx when this file is loaded as CJS.
    const bg = (await import(pathToFileURL(bgPath).href)) as WasmBindings & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
    };
    const bytes = await readFile(bgPath.replace(/\.js$/, ".wasm"));
    // The engine races some operations against 10 s timers it never clears (e.g. the
    // advisory-lock wait in applyMigrations); left as they are they keep a CLI alive 10 s
    // after it is done. Unref them: live pg sockets keep the process up while it works.
    const imports: WebAssembly.ModuleImports = { ...(bg as unknown as WebAssembly.ModuleImports) };
    for (const key of Object.keys(imports).filter((k) => k.startsWith("__wbg_setTimeout_"))) {
      const orig = imports[key] as (...a: unknown[]) => NodeJS.Timeout;
      imports[key] = (...a: unknown[]) => orig(...a).unref();
    }
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": imports });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return wasmBindings;
}

/**
 * Engine errors carry a Rust span trace ("   0: sql_schema_connector::…") after the
 * message, and a generic "external connector error" line before a database error. Keep
 * what a person can act on; the raw error stays as `cause`.
 */
export function asError(err: unknown): Error {
  const raw =
    err instanceof Error
      ? err.message
      : typeof err === "string"
        ? err
        : ((err as { message?: string } | null)?.message ?? JSON.stringify(err));
  const lines: string[] = [];
  for (const line of raw.split("\n")) {
    if (/^\s+\d+: /.test(line)) break;
    if (line.trim() && line.trim() !== "external connector error") lines.push(line.trim());
  }
  let message = lines.join(" ") || raw;
  const failed = raw.match(/with migration_name="([^"]+)"/)?.[1];
  if (failed && !message.includes(failed)) message = `Migration ${failed} failed: ${message}`;
  if (err instanceof Error && message === err.message) return err;
  return new Error(message, { cause: err });
}
