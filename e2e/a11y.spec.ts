// axe-core over every page (e2e/seed.ts gives each one content), in the light and the dark
// theme, at desktop and phone sizes: no serious or critical violation anywhere. Lesser
// findings are listed in the test's annotations, and a few known ones are held at zero.
import type { Browser } from "@playwright/test";
import { describe, runAxe } from "./axe";
import { expect, test } from "./fixtures";
import { pagesOf, seed, signInSeedUser, type Seed } from "./seed";

const DEVICES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
} as const;
const THEMES = ["light", "dark"] as const;

let seeded: Seed;
test.beforeAll(async ({ playwright, baseURL }) => {
  test.setTimeout(600_000);
  const request = await playwright.request.newContext({ baseURL });
  seeded = await seed(request, baseURL!);
  await request.dispose();
});

async function audit(browser: Browser, baseURL: string, device: keyof typeof DEVICES, theme: (typeof THEMES)[number]) {
  const serious: string[] = [];
  const lesser: string[] = [];
  for (const signedIn of [false, true]) {
    const context = await browser.newContext({ ...DEVICES[device], colorScheme: theme, reducedMotion: "reduce", baseURL });
    if (signedIn) await signInSeedUser(context.request, baseURL);
    const page = await context.newPage();
    for (const p of pagesOf(seeded).filter((x) => x.signedIn === signedIn)) {
      await page.goto(p.path);
      await page.waitForLoadState("networkidle").catch(() => {});
      const { violations } = await runAxe(page);
      const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      serious.push(...describe(bad).map((line) => `${p.name}: ${line}`));
      lesser.push(...describe(violations.filter((v) => !bad.includes(v))).map((line) => `${p.name}: ${line}`));
    }
    await context.close();
  }
  return { serious, lesser };
}

for (const device of Object.keys(DEVICES) as (keyof typeof DEVICES)[]) {
  for (const theme of THEMES) {
    test(`axe-core: every page, ${theme} theme, ${device}`, async ({ browser, baseURL }) => {
      test.setTimeout(300_000);
      const { serious, lesser } = await audit(browser, baseURL!, device, theme);
      for (const line of lesser) test.info().annotations.push({ type: "axe (minor or moderate)", description: line });
      if (lesser.length) console.log(`axe, minor or moderate (${theme}, ${device}):\n  ${lesser.join("\n  ")}`);
      expect(serious, "serious or critical axe-core violations").toEqual([]);
      // Fixed once, kept fixed: thumbnails whose alt repeated the name printed beside them.
      expect(lesser.filter((l) => l.includes("image-redundant-alt"))).toEqual([]);
    });
  }
}
