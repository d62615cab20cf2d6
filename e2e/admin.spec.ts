import { randomUUID } from "node:crypto";
import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures";
import { corruptJpeg } from "../test/test-images";
import { lowContrastTexts } from "./contrast";

const ADMIN = { email: "admin@e2e.example.com", password: "correct horse battery" };

/** Signs in (creating the account on a fresh database); the session cookie lands in the page's context. */
async function signIn(request: APIRequestContext, who: { email: string; password: string }) {
  const signup = await request.post("/api/auth/signup", { data: who });
  if (signup.status() === 201) return;
  const signin = await request.post("/api/auth/signin", { data: who });
  expect(signin.status()).toBe(200);
}

test("an admin watches a failure arrive live, retries it, and opens Bull Board", async ({ page }) => {
  await signIn(page.request, ADMIN);
  await page.goto("/");
  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Queues" })).toBeVisible();
  await expect(page.getByTestId("connection")).toHaveText("Live");

  // A broken photo is uploaded after the page opened: it shows up under its error, no reload.
  const name = `broken-${randomUUID().slice(0, 6)}.jpg`;
  // page.request is not a browser: it says where it comes from, as a same-origin page would.
  const upload = await page.request.post("/api/v1/media", {
    headers: { origin: new URL(page.url()).origin },
    multipart: { files: { name, mimeType: "image/jpeg", buffer: await corruptJpeg("truncated") } },
  });
  expect(upload.status()).toBe(202);
  const group = page.getByTestId("failed-group").filter({ hasText: "damaged or incomplete" });
  const row = group.getByTestId("failed-job").filter({ hasText: name });
  await expect(row).toBeVisible();
  // A preview made from the original (the photo never got a thumbnail), actually loaded once
  // scrolled to (it loads lazily, and the failed list sits below the queue cards).
  await row.scrollIntoViewIfNeeded();
  const preview = row.getByRole("img", { name });
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await page.screenshot({ path: "test-results/admin-overview.png", fullPage: true });

  await row.getByRole("button", { name: `Retry ${name}` }).click();
  await expect(page.getByRole("status")).toHaveText("Retrying 1 job.");

  await page.getByRole("link", { name: "Open Bull Board" }).click();
  await expect(page).toHaveTitle("Framecast queues");
  await expect(page.getByText("media-analysis").first()).toBeVisible();
  await page.screenshot({ path: "test-results/admin-bull-board.png", fullPage: true });
});

test("every text of the admin overview meets WCAG AA contrast, failed jobs and charts included", async ({ page }) => {
  await signIn(page.request, ADMIN);
  const name = `contrast-${randomUUID().slice(0, 6)}.jpg`;
  await page.goto("/admin");
  const upload = await page.request.post("/api/v1/media", {
    headers: { origin: new URL(page.url()).origin },
    multipart: { files: { name, mimeType: "image/jpeg", buffer: await corruptJpeg("truncated") } },
  });
  expect(upload.status()).toBe(202);
  await expect(page.getByTestId("failed-job").filter({ hasText: name })).toBeVisible();
  for (const size of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(size);
    expect(await lowContrastTexts(page, "main"), `at ${size.width}px wide`).toEqual([]);
  }
});

test("someone who is not an admin gets 403 from the console and Bull Board", async ({ page }) => {
  await signIn(page.request, { email: `e2e-${randomUUID().slice(0, 8)}@example.com`, password: "correct horse battery" });
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  const overview = await page.goto("/admin");
  expect(overview?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
  expect((await page.goto("/admin/queues"))?.status()).toBe(403);
});
