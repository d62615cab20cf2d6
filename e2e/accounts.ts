// A fresh account made through the sign-up page, as a person makes one: the one way the specs
// sign up in the browser (photos.spec walks there from the sign-in page on purpose).
import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect } from "./fixtures";

export const PASSWORD = "correct horse battery";

/** `<prefix>-<8 hex>@example.com`: a new address each run, so runs never collide. */
export const freshEmail = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}@example.com`;

/** Signs up as `email` on /signup and waits for the library page; returns the email. */
export async function signUpInBrowser(page: Page, email: string): Promise<string> {
  await page.goto("/signup");
  // The form itself first: typing during a client-side navigation would go to a form about to be replaced.
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Photos", exact: true })).toBeVisible();
  return email;
}
