// axe-core in a page: the engine is evaluated through the DevTools protocol (so the page's
// Content-Security-Policy, which allows only nonced scripts, does not stop it) and run over
// the whole document against WCAG 2.1 A/AA and axe's best practices.
// (@axe-core/playwright does the same; the engine it wraps is used directly, as axe-core is
// already installed and its 4.14 wrapper declares Node ≥ 22.12.)
import type { Page } from "@playwright/test";
import axe, { type AxeResults, type Result } from "axe-core";

// The engine's own source text, as axe-core exports it for injection.
const source = axe.source;

export async function runAxe(page: Page): Promise<AxeResults> {
  await page.evaluate(source);
  return page.evaluate(() =>
    (window as unknown as { axe: typeof import("axe-core") }).axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
      resultTypes: ["violations"],
    }),
  );
}

/** One line per violation: rule, impact, what it means, and up to three offending elements. */
export function describe(violations: Result[]): string[] {
  return violations.map((v) => {
    const where = v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")}${n.failureSummary ? ` (${n.failureSummary.split("\n").slice(1, 2).join("").trim()})` : ""}`);
    return `${v.id} [${v.impact}] ${v.help} ×${v.nodes.length}: ${where.join("; ")}`;
  });
}
