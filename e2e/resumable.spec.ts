// A big photo over a connection that goes away: the uploader sends it resumably (tus), the
// row says "Paused — waiting for the network" while the browser is offline, and once it is
// back the upload goes on by itself from where the server was — the bar does not restart
// from zero — and the photo stored is byte for byte the one picked.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import sharp from "sharp";
import { startCuttingProxy, type CuttingProxy } from "../test/cutting-proxy";
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
