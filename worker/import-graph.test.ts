// The worker must not load the web's HTTP edge: status codes, sessions and origin checks
// belong to the web process only (domain code throws lib/errors, never HTTP errors).
// Walks the static imports from worker/index.ts, reading sources without running them.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..");
const FORBIDDEN = ["lib/http", "lib/auth", "lib/security/origin"];

/** Module specifiers this file loads at run time (type-only imports are erased, so skipped). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) found.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : null;
      if (!named || named.length === 0 || !named.every((e) => e.isTypeOnly)) found.push((node.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return found;
}

/** Our own file for a specifier ("@/…" or relative), or null for a package. */
function resolve(from: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith("@/")) base = path.join(ROOT, specifier.slice(2));
  else if (specifier.startsWith(".")) base = path.resolve(path.dirname(from), specifier);
  else return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts"), path.join(base, "index.tsx")]) {
    if (/\.tsx?$/.test(candidate) && existsSync(candidate)) return candidate;
  }
  throw new Error(`${path.relative(ROOT, from)} imports "${specifier}", which resolves to no file`);
}

/** Every edge (importer → imported) reachable from `entry`, as repo-relative paths. */
function importEdges(entry: string): Array<[string, string]> {
  const edges: Array<[string, string]> = [];
  const seen = new Set([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const specifier of runtimeImports(file)) {
      const target = resolve(file, specifier);
      if (!target) continue;
      edges.push([path.relative(ROOT, file), path.relative(ROOT, target)]);
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return edges;
}

const forbidden = (file: string) => FORBIDDEN.some((f) => file === `${f}.ts` || file.startsWith(`${f}/`));

describe("the worker's import graph", () => {
  const edges = importEdges(path.join(ROOT, "worker/index.ts"));

  it("is walked from worker/index.ts through the processors", () => {
    const files = new Set(edges.flatMap((e) => e));
    expect(files).toContain("worker/runtime.ts");
    expect(files).toContain("worker/failures.ts");
    expect(files).toContain("lib/errors/index.ts");
  });

  it("never reaches the HTTP edge (lib/http, lib/auth, lib/security/origin)", () => {
    const offending = edges.filter(([, to]) => forbidden(to)).map(([from, to]) => `${from} → ${to}`);
    expect(offending, `the worker imports web-only code:\n  ${offending.join("\n  ")}`).toEqual([]);
  });
});
