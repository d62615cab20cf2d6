// The README's pictures (docs/screenshots/), made from the running app by
// `npm run screenshots`; skipped in an ordinary e2e run. Desktop and phone, light theme,
// plus the library in the dark theme on a phone.
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { seed, signInSeedUser, type Seed } from "./seed";
import { makeJpeg } from "../test/test-images";

test.skip(!process.env.SCREENSHOTS, "run with `npm run screenshots`");

const OUT = "docs/screenshots";
const SIZES = {
  desktop: { viewport: { width: 1280, height: 860 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
} as const;
type Size = keyof typeof SIZES;

let seeded: Seed;
test.beforeAll(async ({ playwright, baseURL }) => {
  test.setTimeout(600_000);
  const request = await playwright.request.newContext({ baseURL });
  seeded = await seed(request, baseURL!);
  await request.dispose();
});

async function open(browser: Browser, baseURL: string, size: Size, colorScheme: "light" | "dark" = "light") {
  const context = await browser.newContext({ ...SIZES[size], colorScheme, reducedMotion: "reduce", baseURL });
  await signInSeedUser(context.request, baseURL);
  return { context, page: await context.newPage() };
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${OUT}/${name}.png`, animations: "disabled" });

for (const size of Object.keys(SIZES) as Size[]) {
  test(`screenshots, ${size}`, async ({ browser, baseURL }) => {
    test.setTimeout(300_000);
    const { context, page } = await open(browser, baseURL!, size);

    // The upload page while its bars move: photos big enough to be seen on their way.
    await page.goto("/");
    const names = ["lighthouse", "dunes", "ferry", "pier"].map((n) => `${n}-${size}.jpg`);
    await page.getByTestId("file-input").setInputFiles(
      await Promise.all(names.map(async (name, i) => ({ name, mimeType: "image/jpeg", buffer: await makeJpeg({ width: 4000, height: 3000, seed: 900 + i * 13 + (size === "phone" ? 5 : 0) }) }))),
    );
    const rows = page.getByTestId("upload-row");
    await expect(rows).toHaveCount(4);
    // Live: some rows still on their way (uploading, queued or analysing).
    await expect(page.locator('[data-testid="upload-row"]:not([data-status="done"])').first()).toBeVisible();
    await shot(page, `upload-${size}`);
    for (const name of names) await expect(rows.filter({ hasText: name })).toHaveAttribute("data-status", "done", { timeout: 120_000 });

    await page.goto(`/media/${seeded.photoId}`);
    await expect(page.locator("figure img")).toBeVisible();
    await expect.poll(() => page.locator("figure img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    await shot(page, `photo-${size}`);

    await page.goto(`/vlogs/${seeded.storyboardVlogId}`);
    await expect(page.getByTestId("storyboard-shot")).toHaveCount(3);
    await page.evaluate(() => {
      document.getElementById("storyboard-heading")?.scrollIntoView({ block: "start" });
      window.scrollBy(0, -24);
    });
    await shot(page, `vlog-storyboard-${size}`);

    await page.goto(`/vlogs/${seeded.renderedVlogId}`);
    const video = page.locator("video");
    await expect(video).toBeVisible();
    await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 2);
    await video.evaluate(async (v: HTMLVideoElement) => {
      v.muted = true;
      // Past the opening fade, on a shot.
      v.currentTime = Math.min(5, v.duration / 2);
      await new Promise((r) => v.addEventListener("seeked", r, { once: true }));
    });
    await video.scrollIntoViewIfNeeded();
    await shot(page, `vlog-player-${size}`);

    await page.goto("/admin");
    await expect(page.getByTestId("connection")).toHaveText("Live");
    await expect(page.getByTestId("failed-job").first()).toBeVisible();
    await shot(page, `admin-${size}`);
    await context.close();
  });
}

test("screenshot, library in the dark theme on a phone", async ({ browser, baseURL }) => {
  const { context, page } = await open(browser, baseURL!, "phone", "dark");
  await page.goto("/");
  const tiles = page.getByRole("list", { name: "Your photos" }).locator("img");
  await expect(tiles.first()).toBeVisible();
  await page.evaluate(() => {
    document.getElementById("library-heading")?.scrollIntoView({ block: "start" });
    window.scrollBy(0, -24);
  });
  await expect.poll(() => tiles.evaluateAll((imgs) => imgs.slice(0, 4).every((i) => (i as HTMLImageElement).complete))).toBe(true);
  await shot(page, "library-dark-phone");
  await context.close();
});
