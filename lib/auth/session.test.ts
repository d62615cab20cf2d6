// The session cookie's flags when the app is served over HTTPS.
import { beforeAll, describe, expect, it } from "vitest";

beforeAll(() => {
  // Before env() is first read in this test process.
  process.env.APP_URL = "https://photos.example.com";
});

describe("session cookie behind HTTPS", () => {
  it("is Secure, httpOnly and SameSite=Lax, and the cleared cookie expires at once", async () => {
    const { sessionCookie, clearedSessionCookie } = await import("./session");
    const cookie = sessionCookie("tok", new Date("2030-01-01T00:00:00Z"));
    expect(cookie).toBe("fc_session=tok; Path=/; HttpOnly; SameSite=Lax; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Secure");
    expect(clearedSessionCookie()).toMatch(/^fc_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/);
  });
});
