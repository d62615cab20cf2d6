import { describe, expect, it } from "vitest";
import { safeNextPath } from "./admin";

// Where sign-in sends a person afterwards: a page of this site, never another site.
describe("safeNextPath", () => {
  it("keeps a path on this site, with its query", () => {
    expect(safeNextPath("/vlogs/42?tab=share")).toBe("/vlogs/42?tab=share");
    expect(safeNextPath("/?shared=abc")).toBe("/?shared=abc");
  });

  it("sends anything that could leave the site to the library instead", () => {
    for (const next of [
      null,
      undefined,
      "",
      "https://evil.example/",
      "//evil.example/",
      "/\\evil.example/",
      "/\t/evil.example/",
      "/\n/evil.example/",
      "/x\\..\\..\\evil",
      "javascript:alert(1)",
      "evil.example",
    ]) {
      expect(safeNextPath(next), JSON.stringify(next)).toBe("/");
    }
  });

  it("cuts a very long path", () => {
    expect(safeNextPath(`/${"a".repeat(1000)}`)).toHaveLength(500);
  });
});
