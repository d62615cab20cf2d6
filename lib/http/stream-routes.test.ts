// Every stream path the live front answers is also a route Next can answer (with the same
// handler), and every live kind's stream is among them.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LIVE_KINDS, liveKindNames } from "@/lib/events/kinds";
import { STREAM_ROUTES } from "./stream-routes";

const ROOT = path.resolve(__dirname, "../..");

describe("the stream routes", () => {
  it("include every live kind's stream and the admin overview", () => {
    const paths = Object.keys(STREAM_ROUTES);
    for (const kind of liveKindNames) expect(paths).toContain(`${LIVE_KINDS[kind].path}/stream`);
    expect(paths).toContain("/api/admin/overview/stream");
    expect(paths).toHaveLength(liveKindNames.length + 1);
  });

  it("each have a route.ts exporting the same handler, for a request that reaches Next", () => {
    for (const streamPath of Object.keys(STREAM_ROUTES)) {
      const source = readFileSync(path.join(ROOT, "app", streamPath, "route.ts"), "utf8");
      expect(source, streamPath).toContain(`export const GET = streamRoute("${streamPath}");`);
    }
  });
});
