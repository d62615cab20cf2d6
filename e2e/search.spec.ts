// Keyless tags and library search, as a person uses them: real photographs from Debian's
// lomiri-wallpapers-16.04 (.ci/run installs it) are tagged by the local vision model in the
// worker, and the library's search box finds them, on a desktop and on a phone.
import { readFile } from "node:fs/promises";
import { freshEmail, signUpInBrowser } from "./accounts";
import { expect, test } from "./fixtures";

const DOGS = "/usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg";
const WINE = "/usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg";

test("photos get tags from the local model without a key, and search finds them", async ({ page }) => {
  test.setTimeout(240_000);
  await signUpInBrowser(page, freshEmail("e2e"));

  await page.getByTestId("file-input").setInputFiles([
    { name: "friends.jpg", mimeType: "image/jpeg", buffer: await readFile(DOGS) },
    { name: "evening.jpg", mimeType: "image/jpeg", buffer: await readFile(WINE) },
  ]);
  const rows = page.getByTestId("upload-row");
  await expect(rows.filter({ hasText: "friends.jpg" })).toHaveAttribute("data-status", "done", { timeout: 180_000 });
  await expect(rows.filter({ hasText: "evening.jpg" })).toHaveAttribute("data-status", "done", { timeout: 180_000 });

  const search = page.getByRole("searchbox", { name: "Search your photos" });
  // The upload list above also links each photo: look in the library only.
  const library = page.getByRole("region", { name: "Your library" });
  await search.fill("dog");
  await expect(library.getByRole("status").filter({ hasText: "1 photo match “dog”." })).toBeVisible();
  await expect(library.getByRole("link", { name: /friends\.jpg/ })).toBeVisible();
  await expect(library.getByText(/^(A dog|Two dogs)/)).toBeVisible();
  await expect(library.getByRole("link", { name: /evening\.jpg/ })).toHaveCount(0);

  await search.fill("wine glass");
  await expect(library.getByRole("link", { name: /evening\.jpg/ })).toBeVisible();
  await expect(library.getByText(/A bottle and a wine glass/)).toBeVisible();

  await search.fill("zebra");
  await expect(page.getByText("No photos match “zebra”.")).toBeVisible();
  await page.screenshot({ path: "test-results/search-empty.png", fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await search.fill("dog");
  await expect(library.getByRole("link", { name: /friends\.jpg/ })).toBeVisible();
  await page.screenshot({ path: "test-results/search-phone.png", fullPage: true });

  // Clearing the box brings the whole library back; the photo page says who described it.
  await search.fill("");
  await expect(library.getByRole("link", { name: /evening\.jpg/ })).toBeVisible();
  await library.getByRole("link", { name: /friends\.jpg/ }).click();
  await expect(page.getByText(/Described on this server: objects and faces by a local model/)).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: /^dog/ })).toBeVisible();
});
