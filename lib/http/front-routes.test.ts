// Every route the front answers is also a route Next can answer (with the same handler),
// every live kind's stream is among them, and the front takes exactly its own paths: an
// id segment only when it is shaped like an id, never a fixed-name sibling.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LIVE_KINDS, liveKindNames } from "@/lib/events/kinds";
import { FRONT_ROUTES, frontRouteFor } from "./front-routes";

const ROOT = path.resolve(__dirname, "../..");
const ID = "0b6f3c1e-2a4d-4e8f-9c7a-5d1e2f3a4b5c";
const TOKEN = "Ab3_-x".padEnd(32, "z");

describe("the front's routes", () => {
  it("include every live kind's stream and the admin overview", () => {
    const keys = Object.keys(FRONT_ROUTES);
    for (const kind of liveKindNames) expect(keys).toContain(`GET ${LIVE_KINDS[kind].path}/stream`);
    expect(keys).toContain("GET /api/admin/overview/stream");
  });

  it("each have a route.ts exporting the same handler, for a request that reaches Next", () => {
    for (const key of Object.keys(FRONT_ROUTES)) {
      const [method, routePath] = key.split(" ");
      const file = path.join(ROOT, "app", routePath, "route.ts");
      expect(existsSync(file), key).toBe(true);
      expect(readFileSync(file, "utf8"), key).toContain(`export const ${method} = frontRoute("${key}");`);
    }
  });

  it("match their paths, with the id as a param", () => {
    expect(frontRouteFor("GET", "/api/v1/media/stream")?.handler).toBe(FRONT_ROUTES["GET /api/v1/media/stream"]);
    expect(frontRouteFor("POST", "/api/v1/media")?.handler).toBe(FRONT_ROUTES["POST /api/v1/media"]);
    expect(frontRouteFor("GET", "/api/v1/media")?.handler).toBe(FRONT_ROUTES["GET /api/v1/media"]);
    expect(frontRouteFor("GET", `/api/v1/media/${ID}`)).toEqual({ handler: FRONT_ROUTES["GET /api/v1/media/[id]"], params: { id: ID } });
    expect(frontRouteFor("GET", `/api/v1/jobs/${ID.toUpperCase()}`)?.params).toEqual({ id: ID.toUpperCase() });
    expect(frontRouteFor("GET", `/feeds/${TOKEN}`)).toEqual({ handler: FRONT_ROUTES["GET /feeds/[token]"], params: { token: TOKEN } });
  });

  it("leave everything else to Next", () => {
    for (const [method, pathname] of [
      ["GET", "/api/v1/media/search"], // a fixed-name sibling of [id]
      ["GET", "/api/v1/media/not-an-id"], // Next's route answers it (404, the same handler)
      ["GET", `/api/v1/media/${ID}/original`],
      ["GET", `/api/v1/media/${ID}/`],
      ["GET", `/api/v1/media/${ID}x`],
      ["DELETE", `/api/v1/media/${ID}`],
      ["POST", `/api/v1/media/${ID}`],
      ["HEAD", "/api/v1/media"],
      ["PUT", "/api/v1/media"],
      ["POST", "/api/v1/media/stream"],
      ["POST", "/api/v1/episodes"],
      ["GET", "/api/v1/media/"],
      ["GET", "/library"],
      ["GET", `/feeds/${TOKEN}/${ID}/g0/episode.mp3`], // the feed's files
      ["GET", `/feeds/${TOKEN.slice(1)}`], // not a feed token: Next's route answers 404
      ["HEAD", `/feeds/${TOKEN}`],
    ]) {
      expect(frontRouteFor(method, pathname), `${method} ${pathname}`).toBeUndefined();
    }
  });
});
