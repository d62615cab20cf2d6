import { describe, expect, it } from "vitest";
import { credentialsSchema } from "./accounts";
import { hashPassword, verifyPassword } from "./password";

describe("credentials validation", () => {
  it("normalises the email", () => {
    expect(credentialsSchema.parse({ email: "  Ada@Example.COM ", password: "12345678" }).email).toBe("ada@example.com");
  });

  it("explains what is wrong with each field", () => {
    const result = credentialsSchema.safeParse({ email: "not-an-email", password: "short" });
    expect(result.success).toBe(false);
    const messages = Object.fromEntries(result.error!.issues.map((i) => [i.path[0], i.message]));
    expect(messages).toEqual({ email: "Enter a valid email address.", password: "Use at least 8 characters." });
  });
});

describe("password hashing", () => {
  it("verifies the right password only, and salts every hash", async () => {
    const [a, b] = await Promise.all([hashPassword("correct horse"), hashPassword("correct horse")]);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("wrong horse", a)).toBe(false);
    expect(await verifyPassword("anything", "garbage")).toBe(false);
  });
});
