// Framecast as an installed app: the manifest and icons, a service worker that keeps only
// the app's static files (never an API answer, a page or a photo), photos shared to the
// app from the phone's share sheet (the manifest's share_target, received by public/sw.js)
// landing in the uploader with their bars, signed in or not yet, and "Take photo".
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { SEED_USER, signInSeedUser } from "./seed";
import { makeJpeg } from "../test/test-images";

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (b: Buffer) => ({ png: b.subarray(1, 4).toString() === "PNG", width: b.readUInt32BE(16), height: b.readUInt32BE(20) });

async function controlledBySw(page: Page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  // The first page load is not controlled yet (clients.claim() takes over during activation).
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
}

/** What the phone's share sheet does: a multipart POST of the photos to the share_target action. */
async function shareFromGallery(page: Page, files: { name: string; type: string; bytes: Buffer }[]) {
  await page.evaluate((list) => {
    const form = document.createElement("form");
    form.method = "POST";
    form.action = "/share-target";
    form.enctype = "multipart/form-data";
    const input = document.createElement("input");
    input.type = "file";
    input.name = "photos";
    input.multiple = true;
    const transfer = new DataTransfer();
    for (const f of list) transfer.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    input.files = transfer.files;
    form.append(input);
    document.body.append(form);
    form.submit();
  }, files.map((f) => ({ name: f.name, type: f.type, b64: f.bytes.toString("base64") })));
}

test("the manifest makes Framecast installable, with its icons, colours and share target", async ({ page, request }) => {
  await page.goto("/signin");
  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute("href");
  const manifest = await (await request.get(manifestHref!)).json();
  expect(manifest).toMatchObject({ name: "Framecast", short_name: "Framecast", display: "standalone", start_url: "/", theme_color: expect.stringMatching(/^#/), background_color: expect.stringMatching(/^#/) });
  expect(manifest.share_target).toMatchObject({ action: "/share-target", method: "POST", enctype: "multipart/form-data", params: { files: [{ name: "photos" }] } });
  const sizes = new Set<string>();
  for (const icon of manifest.icons as { src: string; sizes: string; purpose: string }[]) {
    const res = await request.get(icon.src);
    expect(res.headers()["content-type"]).toBe("image/png");
    const { png, width, height } = pngSize(await res.body());
    expect(png && `${width}x${height}`).toBe(icon.sizes);
    sizes.add(`${icon.sizes} ${icon.purpose}`);
  }
  expect([...sizes].sort()).toEqual(["192x192 any", "512x512 any", "512x512 maskable"]);

  // Favicon and apple-touch-icon are linked and served (no more 404 on every page load).
  const favicon = await request.get("/favicon.ico");
  expect(favicon.status()).toBe(200);
  expect((await favicon.body()).readUInt16LE(2)).toBe(1); // an ICO file
  const apple = await page.locator('link[rel="apple-touch-icon"]').getAttribute("href");
  expect(pngSize(await (await request.get(apple!)).body())).toMatchObject({ png: true, width: 180, height: 180 });
  await expect(page.locator('meta[name="theme-color"]').first()).toHaveAttribute("content", /^#/);
});

test("the service worker caches the app's static files and never a page, an API answer or a photo", async ({ page, baseURL }) => {
  await signInSeedUser(page.request, baseURL!);
  const name = `cached-${Date.now()}.jpg`;
  const upload = await page.request.post("/api/v1/media", { headers: { origin: baseURL! }, multipart: { files: { name, mimeType: "image/jpeg", buffer: await makeJpeg({ width: 800, height: 600, seed: 77 }) } } });
  expect(upload.status()).toBe(202);
  const id = (await upload.json()).media[0].id as string;

  await page.goto("/");
  await controlledBySw(page);
  await page.reload();
  // A page's worth of traffic through the worker: the grid's thumbnails, the photo page
  // (thumbnail and original), API answers.
  await expect(page.getByRole("list", { name: "Your photos" }).getByRole("listitem").first()).toBeVisible();
  await page.goto(`/media/${id}`);
  await expect(page.locator("figure img")).toBeVisible();
  await expect.poll(() => page.locator("figure img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  expect(await page.evaluate(async (url) => (await fetch(url)).status, `/api/v1/media/${id}/original`)).toBe(200);
  expect(await page.evaluate(async () => (await fetch("/api/v1/media?limit=5")).status)).toBe(200);

  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const key of await caches.keys()) for (const req of await (await caches.open(key)).keys()) urls.push(new URL(req.url).pathname);
    return urls;
  });
  expect(cached.some((u) => u.startsWith("/_next/static/"))).toBe(true);
  const forbidden = cached.filter((u) => !/^\/(_next\/static\/|icons\/|favicon\.ico$|apple-touch-icon\.png$)/.test(u));
  expect(forbidden, "cached URLs that are not static files").toEqual([]);
  expect(cached.filter((u) => /\/api\/|\/media\/|\/feeds\/|thumbnail|original/.test(u))).toEqual([]);
});

test.describe("on a phone", () => {
  test.use(PHONE);

  test("photos shared to the app land in the uploader with progress bars", async ({ page, baseURL }) => {
    test.setTimeout(120_000);
    await signInSeedUser(page.request, baseURL!);
    await page.goto("/");
    await controlledBySw(page);
    const stamp = Date.now();
    const shared = [`shared-a-${stamp}.jpg`, `shared-b-${stamp}.jpg`];
    await shareFromGallery(page, await Promise.all(shared.map(async (name, i) => ({ name, type: "image/jpeg", bytes: await makeJpeg({ width: 1200, height: 900, seed: 500 + i }) }))));

    // Back in the library, the address tidied up, each photo in its own row with a bar.
    await expect(page).toHaveURL(/\/$/);
    const rows = page.getByTestId("upload-row");
    for (const name of shared) {
      const row = rows.filter({ hasText: name });
      await expect(row.getByRole("progressbar")).toBeVisible();
      await expect(row).toHaveAttribute("data-status", "done", { timeout: 60_000 });
      await expect(row.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
    }
    // Taken once: a reload of the old address finds nothing and says so.
    await page.goto(`/?shared=${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}`);
    await expect(page.getByText("The shared photos did not arrive")).toBeVisible();
  });

  test("shared while signed out: sign in first, then the photos upload", async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto("/signin");
    await controlledBySw(page);
    const name = `shared-signed-out-${Date.now()}.jpg`;
    await shareFromGallery(page, [{ name, type: "image/jpeg", bytes: await makeJpeg({ width: 1000, height: 750, seed: 600 }) }]);

    await expect(page).toHaveURL(/\/signin\?next=%2F%3Fshared%3D[0-9a-f-]{36}$/);
    await page.getByLabel("Email").fill(SEED_USER.email);
    await page.getByLabel("Password").fill(SEED_USER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    const row = page.getByTestId("upload-row").filter({ hasText: name });
    await expect(row.getByRole("progressbar")).toBeVisible();
    await expect(row).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  });

  test("Take photo opens the camera (capture) beside Choose photos", async ({ page, baseURL }) => {
    await signInSeedUser(page.request, baseURL!);
    await page.goto("/");
    await expect(page.getByRole("button", { name: "Choose photos…" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Take photo…" })).toBeVisible();
    const camera = page.getByTestId("camera-input");
    await expect(camera).toHaveAttribute("capture", "environment");
    await expect(camera).toHaveAttribute("accept", "image/*");
    const name = `camera-${Date.now()}.jpg`;
    const chooser = page.waitForEvent("filechooser");
    await page.getByRole("button", { name: "Take photo…" }).tap();
    await (await chooser).setFiles({ name, mimeType: "image/jpeg", buffer: await makeJpeg({ width: 900, height: 1200, seed: 700 }) });
    await expect(page.getByTestId("upload-row").filter({ hasText: name })).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  });
});

test("on a desktop there is no Take photo button (nothing to capture with)", async ({ page, baseURL }) => {
  await signInSeedUser(page.request, baseURL!);
  await page.goto("/");
  await expect(page.getByRole("button", { name: "Choose photos…" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Take photo…" })).toBeHidden();
});
