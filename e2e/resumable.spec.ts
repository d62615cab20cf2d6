// A big photo over a connection that goes away: the uploader sends it resumably (tus), the
// row says "Paused — waiting for the network" while the browser is offline, and once it is
// back the upload goes on by itself from where the server was — the bar does not restart
// from zero — and the photo stored is byte for byte the one picked. A small photo (one plain
// request) whose answer is lost with the network pauses the same way, is sent again by
// itself when the network is back, and is stored once (its Idempotency-Key).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import sharp from "sharp";
import { startCuttingProxy, type CuttingProxy } from "../test/cutting-proxy";
import { freshEmail, signUpInBrowser } from "./accounts";
import { expect, test } from "./fixtures";

let proxy: CuttingProxy;
test.beforeAll(async () => {
  // The browser reaches the app through a TCP proxy on loopback, so the line can really drop.
  proxy = await startCuttingProxy(Number(process.env.E2E_PORT ?? 3100));
});
test.afterAll(async () => proxy?.close());
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

test("a big photo survives going offline at 40 % and finishes by itself", async ({ page, context }) => {
  test.setTimeout(180_000);
  const base = `http://127.0.0.1:${proxy.port}`;
  const email = `e2e-resume-${randomUUID().slice(0, 8)}@example.com`;
  const signup = await page.request.post(`${base}/api/auth/signup`, {
    data: { email, password: "correct horse battery" },
    headers: { origin: base },
  });
  expect(signup.status()).toBe(201);
  await page.goto(`${base}/`);
  await expect(page.getByRole("heading", { name: "Photos", exact: true })).toBeVisible();

  // ~17 MB of noise as PNG: above the 8 MB threshold, so it goes resumably.
  const [width, height] = [2400, 2400];
  const png = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();

  // A slow uplink (4 MB/s), like a phone on hotel Wi-Fi, so there is time to go offline mid-way.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 4 * 1024 * 1024 });

  await page.getByTestId("file-input").setInputFiles([{ name: "balcony.png", mimeType: "image/png", buffer: png }]);
  const row = page.getByTestId("upload-row").filter({ hasText: "balcony.png" });
  const status = row.getByRole("status");
  await expect(status).toHaveText(/Uploading/);
  // Every text the row shows, in order, recorded by the page itself.
  await status.evaluate((el) => {
    const seen: string[] = [(el.textContent ?? "")];
    (window as unknown as { seen: string[] }).seen = seen;
    new MutationObserver(() => seen.push(el.textContent ?? "")).observe(el, { childList: true, characterData: true, subtree: true });
  });

  await expect.poll(async () => Number(/Uploading (\d+)%/.exec((await status.textContent()) ?? "")?.[1] ?? 0), { timeout: 60_000, intervals: [50] }).toBeGreaterThanOrEqual(40);
  // The Wi-Fi goes: the browser is offline and the connection carrying the upload is cut.
  await context.setOffline(true);
  proxy.cutNow();
  await expect(status).toHaveText("Paused — waiting for the network");
  await expect(row).toHaveAttribute("data-status", "uploading");
  await page.screenshot({ path: "test-results/resumable-paused.png" });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "test-results/resumable-paused-phone.png" });
  await page.setViewportSize({ width: 1280, height: 720 });

  await context.setOffline(false);
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await expect(row).toHaveAttribute("data-status", "done", { timeout: 90_000 });

  // After the pause the bar went on from where the server was, never from the start.
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  const paused = seen.indexOf("Paused — waiting for the network");
  expect(paused, seen.join(" | ")).toBeGreaterThan(0);
  const after = seen.slice(paused + 1).map((t) => /Uploading (\d+)%/.exec(t)?.[1]).filter(Boolean).map(Number);
  expect(after.length, seen.join(" | ")).toBeGreaterThan(0);
  expect(Math.min(...after), seen.join(" | ")).toBeGreaterThanOrEqual(25);

  // Stored once, byte for byte.
  const href = await row.getByRole("link", { name: "balcony.png" }).getAttribute("href");
  const id = href!.split("/").pop()!;
  const original = await page.request.get(`${base}/api/v1/media/${id}/original`);
  expect(original.status()).toBe(200);
  expect(sha(await original.body())).toBe(sha(png));
  const list = await (await page.request.get(`${base}/api/v1/media`)).json();
  expect(list.media.filter((m: { name: string }) => m.name === "balcony.png")).toHaveLength(1);
});

test.describe("a small photo", () => {
  // page.route does not see requests of a page a service worker controls.
  test.use({ serviceWorkers: "block" });

  test("whose answer is lost with the network pauses, is sent again by itself once back online, and is stored once", async ({ page, context }) => {
    test.setTimeout(120_000);
    await signUpInBrowser(page, freshEmail("e2e-small-resume"));
    // A phone photo's size (~1–2 MB of noise as JPEG): below the 8 MB threshold, one plain POST.
    const [width, height] = [1200, 900];
    const jpeg = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();

    // The worst moment to lose the network: the server has received and stored the photo,
    // and its answer never reaches the phone. The next try must not store it again.
    const posts: { key: string | undefined; status: number; replayed: string | undefined }[] = [];
    await page.route("**/api/v1/media", async (route) => {
      if (route.request().method() !== "POST") return route.fallback();
      const key = route.request().headers()["idempotency-key"];
      const response = await route.fetch();
      posts.push({ key, status: response.status(), replayed: response.headers()["idempotent-replayed"] });
      if (posts.length === 1) {
        await context.setOffline(true);
        return route.abort("internetdisconnected");
      }
      return route.fulfill({ response });
    });

    await page.getByTestId("file-input").setInputFiles([{ name: "harbour-walk.jpg", mimeType: "image/jpeg", buffer: jpeg }]);
    const row = page.getByTestId("upload-row").filter({ hasText: "harbour-walk.jpg" });
    await expect(row.getByRole("status")).toHaveText("Paused — waiting for the network");
    await expect(row).toHaveAttribute("data-status", "uploading");
    await expect(row.getByRole("button", { name: /retry/i })).toHaveCount(0);

    await context.setOffline(false);
    await expect(row).toHaveAttribute("data-status", "done", { timeout: 90_000 });

    // Sent twice with one key; the second answered with the first answer.
    expect(posts).toHaveLength(2);
    expect(posts[0].status).toBe(202);
    expect(posts[0].key).toBeTruthy();
    expect(posts[1]).toEqual({ key: posts[0].key, status: 202, replayed: "true" });
    const list = await (await page.request.get("/api/v1/media")).json();
    expect(list.media.filter((m: { name: string }) => m.name === "harbour-walk.jpg")).toHaveLength(1);
  });
});
