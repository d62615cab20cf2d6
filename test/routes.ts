// Every route the app serves, read from the app/ tree the way Next.js routes it: each
// page.tsx is a GET page, each route.ts answers the HTTP methods it exports. The
// authorisation matrix (e2e/route-matrix.ts) must have an entry for each of them; see
// matrixGaps() for the check and the message that tells the next engineer what to add.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface AppRoute {
  method: HttpMethod;
  /** The path template as in the tree: "/api/v1/media/[id]"; route groups removed. */
  path: string;
  kind: "page" | "route";
  /** Relative to the project root, for messages. */
  file: string;
}

const METHODS = HTTP_METHODS.join("|");

/** The HTTP methods a route.ts module exports, read from its source (no import needed). */
export function exportedMethods(source: string): HttpMethod[] {
  const found = new Set<string>();
  const add = (re: RegExp, group = 1) => {
    for (const m of source.matchAll(re)) found.add(m[group]);
  };
  add(new RegExp(`export\\s+(?:async\\s+)?function\\s+(${METHODS})\\b`, "g"));
  add(new RegExp(`export\\s+(?:const|let|var)\\s+(${METHODS})\\b`, "g"));
  // export const GET = handler, POST = handler;
  for (const m of source.matchAll(new RegExp(`export\\s+(?:const|let|var)\\s+((?:(?:${METHODS})\\s*=\\s*[\\w.$]+\\s*,?\\s*)+)`, "g"))) {
    for (const name of m[1].matchAll(new RegExp(`\\b(${METHODS})\\s*=`, "g"))) found.add(name[1]);
  }
  // export { handler as GET, POST }
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(",")) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim();
      if (name && (HTTP_METHODS as readonly string[]).includes(name)) found.add(name);
    }
  }
  return HTTP_METHODS.filter((m) => found.has(m));
}

function urlSegment(dir: string): string | null {
  if (/^\(.*\)$/.test(dir)) return null; // route group: not part of the URL
  return dir;
}

/** All routes under appDir (default: this project's app/). */
export function discoverRoutes(root = path.resolve(__dirname, "..")): AppRoute[] {
  const appDir = path.join(root, "app");
  const routes: AppRoute[] = [];
  const walk = (dir: string, segments: string[]) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        // _private folders and @parallel slots are not URL segments of their own.
        if (entry.name.startsWith("_")) continue;
        if (entry.name.startsWith("@")) {
          walk(full, segments);
          continue;
        }
        const segment = urlSegment(entry.name);
        walk(full, segment === null ? segments : [...segments, segment]);
        continue;
      }
      const urlPath = "/" + segments.join("/");
      const file = path.relative(root, full);
      if (/^page\.(tsx|ts|jsx|js)$/.test(entry.name)) routes.push({ method: "GET", path: urlPath, kind: "page", file });
      if (/^route\.(ts|js)$/.test(entry.name)) {
        const methods = exportedMethods(readFileSync(full, "utf8"));
        if (methods.length === 0) throw new Error(`${file} exports no HTTP method that could be recognised; export them as \`export const GET = …\`.`);
        for (const method of methods) routes.push({ method, path: urlPath, kind: "route", file });
      }
    }
  };
  walk(appDir, []);
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

export const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/**
 * What is wrong between the app's routes and the matrix's entries: a sentence per route
 * without an entry (with the line to add) and per entry whose route no longer exists.
 */
export function matrixGaps(routes: AppRoute[], entries: { route: string }[], matrixFile = "e2e/route-matrix.ts"): string[] {
  const known = new Set(entries.map((e) => e.route));
  const present = new Set(routes.map(routeKey));
  const problems: string[] = [];
  for (const r of routes) {
    if (known.has(routeKey(r))) continue;
    const guess =
      r.kind === "page"
        ? "{ anonymous: 307, stranger: 200, owner: 200, admin: 200 }"
        : r.path.includes("[")
          ? "{ anonymous: 401, stranger: 404, owner: 200, admin: 404 }"
          : "{ anonymous: 401, stranger: 200, owner: 200, admin: 200 }";
    problems.push(
      `${routeKey(r)} (${r.file}) has no entry in ${matrixFile}. Add a line such as\n` +
        `    { route: "${routeKey(r)}", expect: ${guess} },\n` +
        `  with the status each caller must get: anonymous (not signed in), stranger (signed in, owns nothing here), ` +
        `owner (owns the resource), admin (an administrator who is not the owner). Someone else's id must answer ` +
        `exactly like a missing one (404). Give [params] a fixture (params: { id: "photo" }) and a body (body: "photo") where needed.`,
    );
  }
  for (const e of entries) {
    if (!present.has(e.route)) problems.push(`${matrixFile} has an entry for ${e.route}, but no such route exists in app/ any more: remove it.`);
  }
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.route)) problems.push(`${matrixFile} lists ${e.route} twice.`);
    seen.add(e.route);
  }
  return problems;
}
