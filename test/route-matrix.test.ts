// Fails the moment a route exists in app/ without a line in the authorisation matrix (or
// an entry outlives its route). The matrix itself is exercised against the running app
// by e2e/route-matrix.spec.ts.
import { describe, expect, it } from "vitest";
import { MATRIX } from "@/e2e/route-matrix";
import { discoverRoutes, exportedMethods, matrixGaps } from "./routes";

describe("authorisation matrix", () => {
  it("has exactly one entry for every route in the app/ tree", () => {
    const routes = discoverRoutes();
    expect(routes.length).toBeGreaterThan(10);
    const gaps = matrixGaps(routes, MATRIX);
    expect(gaps, `\n${gaps.join("\n\n")}\n`).toEqual([]);
  });

  it("reads the methods a route module exports, in every way they are written", () => {
    expect(exportedMethods("export const GET = route(async (a, b) => { const x = 1, POST = 2; });")).toEqual(["GET"]);
    expect(exportedMethods("export async function POST(req) {}\nexport function DELETE() {}")).toEqual(["POST", "DELETE"]);
    expect(exportedMethods("const h = handle(app);\nexport const GET = h, POST = h, PUT = h;")).toEqual(["GET", "POST", "PUT"]);
    expect(exportedMethods("export { handler as GET, handler as PATCH, runtime }")).toEqual(["GET", "PATCH"]);
    expect(exportedMethods("export const dynamic = 'force-dynamic';")).toEqual([]);
  });

  it("names the missing entry, with a line to copy, when a route is added", () => {
    const gaps = matrixGaps([{ method: "GET", path: "/api/vlogs/[id]", kind: "route", file: "app/api/vlogs/[id]/route.ts" }], []);
    expect(gaps[0]).toMatch(/GET \/api\/vlogs\/\[id\] \(app\/api\/vlogs\/\[id\]\/route.ts\) has no entry in e2e\/route-matrix.ts/);
    expect(gaps[0]).toContain('{ route: "GET /api/vlogs/[id]", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },');
    expect(matrixGaps([], [{ route: "GET /gone" }])[0]).toMatch(/no such route exists in app\/ any more: remove it/);
  });
});
