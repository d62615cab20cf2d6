import { randomUUID } from "node:crypto";
import type { Locator } from "@playwright/test";
import { freshEmail, signUpInBrowser } from "./accounts";
import { describe, runAxe } from "./axe";
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
  // No AI provider configured here: the page says nothing leaves this server.
  await expect(page.getByText("analysed on this server")).toBeVisible();

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

/** Rows drawn on top of each other: a windowed list placed one by a wrong (unmeasured) height. */
function overlapping(list: Locator) {
  return list.evaluate((ul) => {
    const rows = [...ul.querySelectorAll<HTMLElement>('[data-testid="upload-row"]')]
      .map((li) => ({ at: Number(li.getAttribute("aria-posinset")), box: li.getBoundingClientRect() }))
      .sort((a, b) => a.at - b.at);
    return rows.slice(1).filter((r, i) => r.at === rows[i].at + 1 && r.box.top < rows[i].box.bottom - 0.5).map((r) => r.at);
  });
}

test("120 photos dropped at once: only the rows in view are in the page, the totals count all, and all finish", async ({ page }) => {
  test.setTimeout(360_000);
  await signUpInBrowser(page, freshEmail("drop120"));
  const count = 120;
  const names = Array.from({ length: count }, (_, i) => `drop-${String(i).padStart(3, "0")}.jpg`);
  await page.getByTestId("file-input").setInputFiles(
    await Promise.all(names.map(async (name, i) => ({ name, mimeType: "image/jpeg", buffer: await makeJpeg({ width: 320, height: 240, seed: 3000 + i }) }))),
  );

  const totals = page.getByTestId("upload-totals");
  await expect(totals).toHaveAttribute("data-total", String(count));
  const box = page.getByRole("region", { name: `${count} photos`, exact: false });
  const list = box.getByRole("list", { name: "Uploads" });
  const rows = list.getByTestId("upload-row");
  const row = (name: string) => rows.filter({ hasText: name });
  await expect(row(names[0])).toBeVisible();
  // A screen reader hears "1 of 120" though only the rows in view (and a few either side) are in the page.
  expect(await rows.count()).toBeLessThan(30);
  await expect(row(names[0])).toHaveAttribute("aria-posinset", "1");
  await expect(row(names[0])).toHaveAttribute("aria-setsize", String(count));
  // The list scrolls in its own box, not the page.
  expect((await box.boundingBox())!.height).toBeLessThanOrEqual(514);

  // To the end, while the uploads go on: the last file's row.
  await box.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(row(names[count - 1])).toBeVisible();
  await expect(row(names[count - 1])).toHaveAttribute("aria-posinset", String(count));
  expect(await rows.count()).toBeLessThan(30);
  expect(await overlapping(list)).toEqual([]);

  await expect(totals).toHaveAttribute("data-done", String(count), { timeout: 300_000 });
  await expect(totals).toHaveText(`${count} photos · ${count} done`);
  await expect(row(names[count - 1])).toHaveAttribute("data-status", "done");

  // Back at the top, the first row shows what happened while it was out of the page.
  await box.evaluate((el) => el.scrollTo(0, 0));
  await expect(row(names[0])).toHaveAttribute("data-status", "done");
  await expect(row(names[0]).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");

  // The windowed list (a focusable scroll box named by its totals, rows that say "1 of 120"):
  // nothing serious or critical that axe-core finds (as e2e/a11y.spec.ts holds every page to).
  const { violations } = await runAxe(page);
  expect(describe(violations.filter((v) => v.impact === "serious" || v.impact === "critical"))).toEqual([]);

  // A focused row stays in the page while it is scrolled away, and keeps the focus.
  await row(names[0]).getByRole("link", { name: names[0] }).focus();
  await box.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(row(names[count - 1])).toBeVisible();
  await expect(row(names[0]).getByRole("link", { name: names[0] })).toBeFocused();

  // On a phone, 390 and 360 px wide: the rows (measured anew) do not overlap, nothing scrolls sideways,
  // and the box leaves room for the page around it.
  for (const viewport of [{ width: 390, height: 844 }, { width: 360, height: 740 }]) {
    await page.setViewportSize(viewport);
    await box.evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
    await expect(rows.first()).toBeAttached();
    await expect.poll(() => overlapping(list)).toEqual([]);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(wide, `page wider than ${viewport.width} px`).toBeLessThanOrEqual(0);
    expect((await box.boundingBox())!.height).toBeLessThanOrEqual(viewport.height * 0.6 + 2);
  }
});
