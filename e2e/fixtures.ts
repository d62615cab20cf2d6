// The `test` every spec uses: fails a test whose pages hit a Content-Security-Policy
// violation (a blocked script, style, image or connection), so a CSP that breaks the app
// cannot go unnoticed.
import { test as base, expect } from "@playwright/test";

// Refused on purpose: Bull Board's HTML links a Google Fonts stylesheet, which its CSP
// leaves out (lib/security/headers.ts, BULL_BOARD_CSP).
const EXPECTED = [/fonts\.googleapis\.com/];

export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on("console", (message) => {
        const text = message.text();
        if (/Content Security Policy|CSP violation/i.test(text) && !EXPECTED.some((re) => re.test(text))) violations.push(text);
      });
      // Installed through the DevTools protocol, so this listener itself is not subject to the CSP.
      await page.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (e) =>
          console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"} at ${e.sourceFile}:${e.lineNumber}`),
        );
      });
      await use(violations);
      expect(violations, "Content-Security-Policy violations in the browser").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
