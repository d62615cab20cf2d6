// Your data in the browser: delete photos (several from the library by keyboard, one from its
// page), download all my data as a ZIP, and delete the account — on a desktop and a phone.
import { execFileSync } from "node:child_process";
import type { Page } from "@playwright/test";
import { freshEmail, signUpInBrowser } from "./accounts";
import { expect, test } from "./fixtures";
import { makeJpeg } from "../test/test-images";

const PHRASE = "delete my account";

// A photo in the library grid: its link is named by the file name under the thumbnail (the
// thumbnail itself has alt="", so the name is not read twice).
function libraryPhoto(page: Page, name: string) {
  return page.getByRole("list", { name: "Your photos" }).getByRole("link", { name, exact: true });
}

async function uploadPhotos(page: Page, names: string[]) {
  await page.getByTestId("file-input").setInputFiles(
    await Promise.all(names.map(async (name, i) => ({ name, mimeType: "image/jpeg", buffer: await makeJpeg({ width: 640, height: 480, seed: 60 + i }) }))),
  );
  for (const name of names) await expect(page.getByTestId("upload-row").filter({ hasText: name })).toHaveAttribute("data-status", "done");
  for (const name of names) await expect(libraryPhoto(page, name)).toBeVisible();
}

test("delete photos from the library and a photo page, download all my data, delete the account", async ({ page }) => {
  const email = await signUpInBrowser(page, freshEmail("data"));
  await uploadPhotos(page, ["keep.jpg", "gone-1.jpg", "gone-2.jpg"]);

  // Select two photos with the keyboard only, delete them through the confirm dialog.
  await page.getByRole("button", { name: "Select photos" }).click();
  await page.getByRole("checkbox", { name: "Select gone-1.jpg" }).focus();
  await page.keyboard.press("Space");
  await page.getByRole("checkbox", { name: "Select gone-2.jpg" }).focus();
  await page.keyboard.press("Space");
  await expect(page.getByText("2 photos selected")).toBeVisible();
  await page.getByRole("button", { name: "Delete…" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete 2 photos?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("keep their video");
  await page.screenshot({ path: "test-results/your-data-delete-dialog.png" });
  await dialog.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "2 photos deleted." })).toBeVisible();
  await expect(page.getByRole("button", { name: "Select photos" })).toBeFocused();
  await expect(libraryPhoto(page, "gone-1.jpg")).toHaveCount(0);
  await expect(libraryPhoto(page, "keep.jpg")).toBeVisible();

  // The last one from its own page; Cancel first changes nothing.
  await libraryPhoto(page, "keep.jpg").click();
  await expect(page.getByRole("heading", { name: "keep.jpg" })).toBeVisible();
  await page.getByRole("button", { name: "Delete photo…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();
  await page.getByRole("button", { name: "Delete photo…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText("No photos yet")).toBeVisible();

  // Download all my data: a job with a progress bar, then a link to the ZIP.
  await uploadPhotos(page, ["export-me.jpg"]);
  await page.goto("/settings");
  await expect(page.getByTestId("storage-used")).toContainText("used");
  await page.getByRole("button", { name: "Download all my data" }).click();
  const link = page.getByTestId("export-download");
  await expect(link).toBeVisible();
  await expect(page.getByText(/Your data is ready/)).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^framecast-data-\d{4}-\d{2}-\d{2}\.zip$/);
  const file = test.info().outputPath("export.zip");
  await download.saveAs(file);
  const names = execFileSync("unzip", ["-Z1", file], { encoding: "utf8" });
  expect(names).toContain("README.txt");
  expect(names).toMatch(/photos\/[0-9a-f]{8} export-me\.jpg/);
  expect(names).toMatch(/photos\/[0-9a-f]{8} export-me\.json/);
  await page.screenshot({ path: "test-results/your-data-settings.png", fullPage: true });

  // Delete the account: the button waits for the typed phrase.
  await page.getByRole("button", { name: "Delete my account…" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete your account for good?" });
  const go = confirm.getByRole("button", { name: "Delete my account" });
  await expect(go).toBeDisabled();
  await confirm.getByLabel(`Type ${PHRASE} to confirm`).fill("delete");
  await expect(go).toBeDisabled();
  await confirm.getByLabel(`Type ${PHRASE} to confirm`).fill(PHRASE);
  await go.click();
  await expect(page).toHaveURL(/\/signin\?deleted=1$/);
  await expect(page.getByText("Your account is being deleted")).toBeVisible();

  // Signing in again is refused: with a reason while the job runs, as unknown once it is done.
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /being deleted|do not match an account/ })).toBeVisible();
});

test("on a phone: the selection bar and the settings fit a 390 px screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUpInBrowser(page, freshEmail("data"));
  await uploadPhotos(page, ["phone.jpg"]);
  await page.getByRole("button", { name: "Select photos" }).click();
  await page.getByRole("checkbox", { name: "Select phone.jpg" }).check();
  await expect(page.getByRole("button", { name: "Delete…" })).toBeInViewport();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.getByRole("button", { name: "Delete…" }).click();
  await expect(page.getByRole("dialog", { name: "Delete 1 photo?" })).toBeInViewport();
  await page.screenshot({ path: "test-results/your-data-phone-library.png" });
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();

  await page.goto("/settings");
  await expect(page.getByRole("button", { name: "Delete my account…" })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/your-data-phone-settings.png", fullPage: true });
});
