import { expect, test } from "@playwright/test";
import { freshEmail, signUpInBrowser } from "./accounts";
import { makeJpeg } from "../test/test-images";

test("make a vlog from three photos, edit a caption, render, and watch it", async ({ page }) => {
  test.setTimeout(300_000);
  await signUpInBrowser(page, freshEmail("vlog"));

  await page.getByTestId("file-input").setInputFiles(
    await Promise.all(
      ["harbour", "market", "sunset"].map(async (name, i) => ({
        name: `${name}.jpg`,
        mimeType: "image/jpeg",
        buffer: await makeJpeg({ width: 1200, height: 800, seed: 100 + i * 7, exif: true }),
      })),
    ),
  );
  const rows = page.getByTestId("upload-row");
  await expect(rows).toHaveCount(3);
  for (const name of ["harbour", "market", "sunset"]) {
    await expect(rows.filter({ hasText: `${name}.jpg` })).toHaveAttribute("data-status", "done");
  }

  // Select the three photos and make a vlog.
  await page.getByRole("button", { name: "Select photos" }).click();
  for (const name of ["harbour", "market", "sunset"]) await page.getByLabel(`Select ${name}.jpg`).check();
  await expect(page.getByText("3 photos selected")).toBeVisible();
  await page.getByRole("button", { name: "Make a vlog" }).click();
  const dialog = page.getByRole("dialog", { name: /Make a vlog from 3 photos/ });
  await dialog.getByLabel(/Title/).fill("Harbour day");
  await dialog.getByLabel(/Upbeat/).check();
  await dialog.getByRole("button", { name: "Start vlog" }).click();

  await expect(page).toHaveURL(/\/vlogs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "Harbour day", level: 1 })).toBeVisible();
  const status = page.getByTestId("vlog-status");
  await expect(status).toHaveAttribute("data-status", "storyboard_ready", { timeout: 60_000 });
  await expect(page.getByTestId("storyboard-shot")).toHaveCount(3);

  // Edit one caption, and reorder with the keyboard.
  const caption = page.getByLabel("Caption for shot 1");
  await caption.fill("Edited in the browser");
  await page.getByRole("button", { name: "Move shot 1 down" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByLabel("Caption for shot 2")).toHaveValue("Edited in the browser");
  await page.screenshot({ path: "test-results/vlog-storyboard.png", fullPage: true });

  await page.getByRole("button", { name: "Render", exact: true }).click();
  await expect(status).toHaveAttribute("data-status", "completed", { timeout: 240_000 });
  await expect(page.getByText("Your vlog is ready.")).toBeVisible();

  // The player has the video: a real duration, and it plays.
  const video = page.locator("video");
  await expect(video).toBeVisible();
  await page.waitForFunction(() => {
    const v = document.querySelector("video");
    return !!v && Number.isFinite(v.duration) && v.duration > 0;
  });
  const duration = await video.evaluate((v: HTMLVideoElement) => v.duration);
  expect(duration).toBeGreaterThan(5);
  await video.evaluate(async (v: HTMLVideoElement) => {
    v.muted = true;
    await v.play();
  });
  await page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 0.3);
  expect(await video.evaluate((v: HTMLVideoElement) => v.paused)).toBe(false);
  await expect(page.getByRole("link", { name: "Download MP4" })).toBeVisible();
  await expect(page.getByLabel(/Anyone with this link/)).toHaveValue(/\/s\/[A-Za-z0-9_-]{43}$/);
  await page.screenshot({ path: "test-results/vlog-player.png", fullPage: true });

  // The edit was kept.
  await page.reload();
  await expect(page.getByLabel("Caption for shot 2")).toHaveValue("Edited in the browser");
});
