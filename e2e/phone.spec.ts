// Every page on a phone (390 × 844, touch): nothing scrolls sideways, and every control a
// thumb needs is at least 44 px tall and wide. A failure names the page and the elements
// that stick out (or are too small), so the fix can start from the message.
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { freshEmail, signUpInBrowser } from "./accounts";
import { pagesOf, seed, signInSeedUser, type Seed } from "./seed";
import { makeJpeg } from "../test/test-images";

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let seeded: Seed;
test.beforeAll(async ({ playwright, baseURL }) => {
  test.setTimeout(600_000);
  const request = await playwright.request.newContext({ baseURL });
  seeded = await seed(request, baseURL!);
  await request.dispose();
});

export async function phoneContext(browser: Browser, baseURL: string, signedIn: boolean): Promise<BrowserContext> {
  const context = await browser.newContext({ ...PHONE, baseURL });
  if (signedIn) await signInSeedUser(context.request, baseURL);
  return context;
}

/** What sticks out past the right edge: the outermost such elements, as short selectors. */
function overflowReport(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.getAttribute("data-testid") ? `[data-testid=${el.getAttribute("data-testid")}]` : ""}${typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).slice(0, 4).join(".")}` : ""}`;
    const wide = [...document.body.querySelectorAll("*")].filter((el) => el.getBoundingClientRect().right > width + 0.5);
    const outermost = wide.filter((el) => !wide.includes(el.parentElement!));
    return {
      scrollWidth: document.documentElement.scrollWidth,
      width,
      culprits: outermost.slice(0, 5).map((el) => `${name(el)} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`),
    };
  });
}

/** Visible controls smaller than 44 × 44 px (links inside running text are exempt, as WCAG 2.5.8 allows). */
function smallTargets(page: Page) {
  return page.evaluate(() => {
    const controls = document.querySelectorAll<HTMLElement>(
      "main a[href], header a[href], button, select, input:not([type=hidden]), textarea, summary, [role=button], [role=tab], [role=radio]",
    );
    const small: string[] = [];
    for (const el of controls) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
      // A visually hidden input whose label is the target (file inputs, styled radios).
      if (box.width <= 1 && box.height <= 1) continue;
      if (el.tagName === "A" && el.closest("p, dd, li > span, figcaption, label") && !el.matches("[class*=min-h-]")) continue;
      // A checkbox or radio counts with its label when the label is the larger target; a
      // "stretched" link (its ::after covers a whole card) with the card.
      const label = (el as HTMLInputElement).labels?.[0]?.getBoundingClientRect();
      const stretched = el.tagName === "A" && getComputedStyle(el, "::after").position === "absolute" ? el.offsetParent?.getBoundingClientRect() : undefined;
      const target = stretched ?? (label && label.height >= box.height ? { width: Math.max(label.width, box.width), height: label.height } : box);
      if (target.height < 43.5 || target.width < 43.5) {
        const text = (el.getAttribute("aria-label") ?? el.textContent ?? (el as HTMLInputElement).name ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
        small.push(`${el.tagName.toLowerCase()} "${text}" ${Math.round(target.width)}×${Math.round(target.height)}`);
      }
    }
    return small;
  });
}

test("every page fits a 390 px phone and its controls are thumb-sized", async ({ browser, baseURL }) => {
  test.setTimeout(300_000);
  const overflowing: string[] = [];
  const tiny: string[] = [];
  for (const signedIn of [false, true]) {
    const context = await phoneContext(browser, baseURL!, signedIn);
    const page = await context.newPage();
    for (const p of pagesOf(seeded).filter((x) => x.signedIn === signedIn)) {
      await page.goto(p.path);
      await page.waitForLoadState("networkidle").catch(() => {});
      const r = await overflowReport(page);
      if (r.scrollWidth > r.width) overflowing.push(`${p.name} (${p.path}): ${r.scrollWidth} px wide on a ${r.width} px screen; sticking out: ${r.culprits.join(", ")}`);
      // For a person to look at (test-results/ is not kept).
      await page.screenshot({ path: `test-results/phone/${p.name.replace(/\W+/g, "-")}.png`, fullPage: true });
      const small = await smallTargets(page);
      if (small.length) tiny.push(`${p.name}: ${small.join("; ")}`);
      // The narrowest phones in use (360 px) too; wider ones (up to 430) have more room.
      await page.setViewportSize({ width: 360, height: 740 });
      const narrow = await overflowReport(page);
      if (narrow.scrollWidth > narrow.width) overflowing.push(`${p.name} (${p.path}) at 360 px: ${narrow.scrollWidth} px wide; sticking out: ${narrow.culprits.join(", ")}`);
      await page.setViewportSize(PHONE.viewport);
      // The header's menu opens into a list that fits as well.
      if (p.name === "library") {
        await page.getByRole("button", { name: "Menu" }).click();
        await expect(page.getByRole("link", { name: "Settings" })).toBeVisible();
        const open = await overflowReport(page);
        if (open.scrollWidth > open.width) overflowing.push(`library with the menu open: ${open.culprits.join(", ")}`);
        await page.keyboard.press("Escape");
        await expect(page.getByRole("link", { name: "Settings" })).toBeHidden();
        await expect(page.getByRole("button", { name: "Menu" })).toBeFocused();
      }
    }
    await context.close();
  }
  expect(overflowing, "pages wider than a 390 (or 360) px phone").toEqual([]);
  expect(tiny, "controls smaller than 44 × 44 px on a phone").toEqual([]);
});

test("the library is a two-column grid on a phone", async ({ browser, baseURL }) => {
  const context = await phoneContext(browser, baseURL!, true);
  const page = await context.newPage();
  await page.goto("/");
  const tiles = page.getByRole("list", { name: "Your photos" }).getByRole("listitem");
  await expect(tiles.first()).toBeVisible();
  const tops = await tiles.evaluateAll((items) => items.slice(0, 4).map((li) => Math.round(li.getBoundingClientRect().top)));
  expect(tops[0]).toBe(tops[1]);
  expect(tops[2]).toBeGreaterThan(tops[1]);
  await context.close();
});

test("the storyboard is edited by touch: tap Down, the shot moves, Save keeps it", async ({ browser, baseURL }) => {
  const context = await phoneContext(browser, baseURL!, true);
  const page = await context.newPage();
  await page.goto(`/vlogs/${seeded.storyboardVlogId}`);
  await expect(page.getByTestId("storyboard-shot")).toHaveCount(3);
  const first = await page.getByLabel("Caption for shot 1").inputValue();
  await page.getByRole("button", { name: "Move shot 1 down" }).tap();
  await expect(page.getByLabel("Caption for shot 2")).toHaveValue(first);
  await page.getByRole("button", { name: "Save storyboard" }).tap();
  await expect(page.getByText("Storyboard saved.")).toBeAttached();
  await page.reload();
  await expect(page.getByLabel("Caption for shot 2")).toHaveValue(first);
  // Put it back for the other specs' pictures.
  await page.getByRole("button", { name: "Move shot 2 up" }).tap();
  await page.getByRole("button", { name: "Save storyboard" }).tap();
  await expect(page.getByLabel("Caption for shot 1")).toHaveValue(first);
  await expect(page.getByRole("button", { name: "Save storyboard" })).toBeDisabled();
  await context.close();
});

test("with live streams blocked (as some mobile networks do), the bars still finish by polling", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext({ ...PHONE, baseURL, serviceWorkers: "block" });
  const page = await context.newPage();
  let blocked = 0;
  let polled = 0;
  // Every EventSource request fails, as behind a proxy that will not pass text/event-stream.
  await page.route(/\/stream\?/, (route) => {
    blocked += 1;
    return route.abort("connectionfailed");
  });
  page.on("request", (r) => {
    if (/\/api\/v1\/media\?ids=/.test(r.url())) polled += 1;
  });
  await signUpInBrowser(page, freshEmail("nostream"));
  await page.getByTestId("file-input").setInputFiles([
    { name: "tram.jpg", mimeType: "image/jpeg", buffer: await makeJpeg({ width: 1200, height: 900, seed: 31 }) },
  ]);
  const row = page.getByTestId("upload-row").filter({ hasText: "tram.jpg" });
  await expect(row).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await expect(row.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  expect(blocked, "the page tried a live stream first").toBeGreaterThan(0);
  expect(polled, "then asked for the photo's state instead").toBeGreaterThan(0);
  await context.close();
});
