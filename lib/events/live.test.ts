// The one `?ids=` parser every live stream and polling fallback uses.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exportedMethods } from "@/test/routes";
import { errorResponse } from "@/lib/http/status";
import { defineLive, LIVE_KINDS, liveKindNames } from "./kinds";
import { liveIds } from "./live";

const media = defineLive("media", { load: async () => [], idOf: (m) => m.id, isTerminal: () => true });
const vlog = defineLive("vlog", { load: async () => [], idOf: (v) => v.id, isTerminal: () => true });
const ROOT = path.resolve(__dirname, "../..");
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const url = (ids: string) => new URL(`http://x.test/s?ids=${ids}`);

/** What the client is answered when `fn` refuses: the status and the error's message. */
async function refusal(fn: () => unknown): Promise<{ status: number; message: string }> {
  try {
    fn();
  } catch (err) {
    const res = errorResponse(err);
    return { status: res.status, message: (await res.json()).error.message };
  }
  throw new Error("not refused");
}

describe("liveIds", () => {
  it("reads the ids, trimmed and without duplicates", () => {
    expect(liveIds(media, url(` ${id(1)},${id(2)},,${id(1)} `))).toEqual([id(1), id(2)]);
  });

  it("says which kind it expected when none are given", async () => {
    expect(await refusal(() => liveIds(vlog, new URL("http://x.test/s")))).toEqual({ status: 400, message: "Pass the ids of the vlogs to follow as ?ids=<id>,<id>." });
  });

  it("caps each kind at its own maximum", async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => id(i)).join(",");
    expect(liveIds(media, url(many(100)))).toHaveLength(100);
    expect(await refusal(() => liveIds(media, url(many(101))))).toEqual({ status: 400, message: "Follow at most 100 photos per request." });
    expect(liveIds(vlog, url(many(50)))).toHaveLength(50);
    expect(await refusal(() => liveIds(vlog, url(many(51))))).toEqual({ status: 400, message: "Follow at most 50 vlogs per request." });
  });

  it("answers a malformed id like a missing one", async () => {
    expect(await refusal(() => liveIds(media, url(`${id(1)},nope`)))).toEqual({ status: 404, message: "One of those photos was not found." });
  });
});

describe("the live kinds registry", () => {
  it("has a stream route and a list route (the polling fallback) for every kind", () => {
    for (const kind of liveKindNames) {
      const { path: base } = LIVE_KINDS[kind];
      const stream = readFileSync(path.join(ROOT, "app", base, "stream/route.ts"), "utf8");
      expect(exportedMethods(stream), `${base}/stream`).toContain("GET");
      // The handler the front serves the path with (lib/http/front-routes.ts), so the
      // front and Next answer it alike.
      expect(stream, `${base}/stream`).toContain(`frontRoute("GET ${base}/stream")`);
      // The list route answers ?ids= with livePoll: itself, or (a route the front answers)
      // through its handler in lib/<domain>/routes.ts.
      const list = readFileSync(path.join(ROOT, "app", base, "route.ts"), "utf8");
      const served = list.includes(`export const GET = frontRoute("GET ${base}");`)
        ? readdirSync(path.join(ROOT, "lib"))
            .map((dir) => path.join(ROOT, "lib", dir, "routes.ts"))
            .filter((file) => existsSync(file))
            .map((file) => readFileSync(file, "utf8"))
            .join("\n")
        : list;
      expect(served, base).toContain(`livePoll(${kind}Live, `);
    }
  });
});
