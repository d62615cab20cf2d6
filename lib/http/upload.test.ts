import { describe, expect, it } from "vitest";
import { cleanFileName } from "./upload";

describe("cleanFileName", () => {
  it("keeps only the last path segment, from either kind of slash", () => {
    expect(cleanFileName("../../etc/passwd")).toBe("passwd");
    expect(cleanFileName("C:\\Users\\me\\holiday.jpg")).toBe("holiday.jpg");
  });

  it("drops control characters and keeps unicode", () => {
    expect(cleanFileName("bad\u0000name\u001b.jpg")).toBe("badname.jpg");
    expect(cleanFileName("été 🌞.jpg")).toBe("été 🌞.jpg");
  });

  it("falls back to a neutral name and caps the length", () => {
    expect(cleanFileName(undefined)).toBe("photo");
    expect(cleanFileName("   ")).toBe("photo");
    expect(cleanFileName("a".repeat(500))).toHaveLength(200);
  });
});
