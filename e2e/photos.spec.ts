import { randomUUID } from "node:crypto";
import { expect, test } from "./fixtures";
import { corruptJpeg, makeJpeg, makePng } from "../test/test-images";

test("sign up, upload three photos (one corrupt), watch them finish, open one", async ({ page }) => {
  const email = `e2e-${randomUUID().slice(0, 8)}@example.com`;

  await page.goto("/");
  await expect(page).toHaveURL(/\/signin$/);
  await page.getByRole("link", { name: "Create one" }).click();
  // Wait for the sign-up form itself: filling during the client-side navigation would
  // type into the sign-in form that is about to be replaced.
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Photos", exact: true })).toBeVisible();
  await expect(page.getByText("No photos yet")).toBeVisible();

  await page.getByTestId("file-input").setInputFiles([
    { name: "beach.jpg", mimeType: "image/jpeg", buffer: await makeJpeg({ width: 1600, height: 1000, seed: 1, exif: true }) },
    { name: "forest.png", mimeType: "image/png", buffer: await makePng({ width: 900, height: 1200, seed: 2 }) },
    { name: "broken.jpg", mimeType: "image/jpeg", buffer: await corruptJpeg("truncated") },
  ]);

  const rows = page.getByTestId("upload-row");
  await expect(rows).toHaveCount(3);
  const row = (name: string) => rows.filter({ hasText: name });

  await expect(row("beach.jpg")).toHaveAttribute("data-status", "done");
  await expect(row("forest.png")).toHaveAttribute("data-status", "done");
  await expect(row("broken.jpg")).toHaveAttribute("data-status", "failed");
  await expect(row("broken.jpg").getByRole("status")).toContainText("damaged or incomplete");
  await expect(row("broken.jpg").getByRole("button", { name: "Retry" })).toBeVisible();
  await expect(row("beach.jpg").getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");

  // The library grid shows the two analysed photos as thumbnails.
  await expect(page.getByRole("list", { name: "Your photos" }).getByRole("link", { name: "beach.jpg" }).locator("img")).toBeVisible();
  await page.screenshot({ path: "test-results/upload-page.png", fullPage: true });

  await row("beach.jpg").getByRole("link", { name: "beach.jpg" }).click();
  await expect(page.getByRole("heading", { name: "beach.jpg", exact: true })).toBeVisible();
  await expect(page.getByText("1600 × 1000 px")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Tags" })).toBeVisible();
  // No key: the local vision model (it finds nothing it knows in generated shapes) and the analyser.
  await expect(page.getByText("Described on this server")).toBeVisible();
  await expect(page.locator("figure img")).toBeVisible();
  await page.screenshot({ path: "test-results/photo-page.png", fullPage: true });
});
