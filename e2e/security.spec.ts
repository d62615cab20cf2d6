// Security as a person meets it in the browser, under the real Content-Security-Policy
// (the fixture fails the test on any CSP violation): API tokens made and revoked in
// Settings and shown once, signing out everywhere, and a forged cross-site form post.
import { freshEmail, PASSWORD, signUpInBrowser } from "./accounts";
import { expect, test } from "./fixtures";

test("an API token is shown once, works for a program, and stops working when revoked", async ({ page, request }) => {
  await signUpInBrowser(page, freshEmail("tokens"));
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Where you are signed in" })).toBeVisible();
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByText("No active tokens.")).toBeVisible();

  await page.getByLabel("Name").fill("backup script");
  await page.getByLabel("Read and write").check();
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token")).toContainText("Copy it now: it will not be shown again.");
  const token = (await page.getByTestId("new-token-value").textContent())!;
  expect(token).toMatch(/^fc_[A-Za-z0-9_-]{43}$/);
  const row = page.getByTestId("token-row").filter({ hasText: "backup script" });
  await expect(row).toContainText("read + write");
  await expect(row).toContainText(token.slice(0, 7));
  await page.screenshot({ path: "test-results/settings-tokens.png", fullPage: true });

  // A program uses it: no cookie, no Origin, just the header.
  const listed = await request.get("/api/v1/media", { headers: { Authorization: `Bearer ${token}` } });
  expect(listed.status()).toBe(200);
  expect(await listed.json()).toMatchObject({ media: [] });

  // Shown once: after a reload the page holds only the hint, never the token.
  await page.reload();
  await expect(page.getByTestId("token-row")).toHaveCount(1);
  expect(await page.content()).not.toContain(token.slice(7));
  await expect(page.getByTestId("token-row")).toContainText("last used");

  page.once("dialog", (dialog) => dialog.accept());
  await page.getByTestId("token-row").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("No active tokens.")).toBeVisible();
  await expect(page.getByText("1 revoked")).toBeVisible();
  const refused = await request.get("/api/v1/media", { headers: { Authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.message).toBe("That API token is not valid, or it has been revoked.");
});

test("sign out everywhere ends the session in every browser", async ({ page, browser }) => {
  const email = await signUpInBrowser(page, freshEmail("everywhere"));

  // A second browser (another device) signs in too.
  const other = await browser.newContext();
  const phone = await other.newPage();
  await phone.goto("/signin");
  await phone.getByLabel("Email").fill(email);
  await phone.getByLabel("Password").fill(PASSWORD);
  await phone.getByRole("button", { name: "Sign in" }).click();
  await expect(phone.getByRole("heading", { name: "Photos", exact: true })).toBeVisible();

  await page.goto("/settings");
  await expect(page.getByTestId("session-row")).toHaveCount(2);
  await expect(page.getByTestId("session-row").filter({ hasText: "this browser" })).toHaveCount(1);
  await page.screenshot({ path: "test-results/settings-sessions.png", fullPage: true });
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/signin$/);

  await phone.reload();
  await expect(phone).toHaveURL(/\/signin$/);
  await other.close();
});

test("a form on another site cannot act with your session", async ({ page, baseURL }) => {
  await signUpInBrowser(page, freshEmail("csrf"));
  // The attacker's page, served by the browser's request interception (no network).
  const target = `${baseURL}/api/auth/signout`;
  await page.route("http://attacker.test/**", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<form method="POST" action="${target}"></form><script>document.forms[0].submit()</script>`,
    }),
  );
  const [response] = await Promise.all([page.waitForResponse((r) => r.url() === target), page.goto("http://attacker.test/")]);
  expect(response.status()).toBe(403);
  expect(await response.text()).toContain("did not come from a Framecast page");
  await page.goto(`${baseURL}/`);
  await expect(page.getByRole("heading", { name: "Photos", exact: true })).toBeVisible();
});
