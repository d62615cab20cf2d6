// The Jobs page in a real browser against the running app and worker: a summarize job
// started from the form completes live in the list (no reload), and its page shows the
// summary; an invalid job gets the API's message under the field it is about.
import { freshEmail, signUpInBrowser } from "./accounts";
import { expect, test } from "./fixtures";

const TEXT = `The city council approved a plan on Tuesday to turn the old harbour warehouses into a public library and a covered market. The project will cost 42 million euros and is expected to open in 2028.

Supporters say the harbour has been empty for a decade and that the market will bring back the small traders who left when the ferries stopped. The library will hold 200,000 books and a makerspace for schools.

Critics worry about the cost and about traffic on the narrow quay. The council promised a new tram stop and said half of the money comes from a European regional fund, not from local taxes. Construction starts next spring, once the last tenants have moved out.`;

test("summarize a text from the Jobs page, watch it complete live, and read the summary", async ({ page }) => {
  test.setTimeout(120_000);
  await signUpInBrowser(page, freshEmail("jobs"));
  await page.getByRole("link", { name: "Jobs", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Jobs", level: 1 })).toBeVisible();
  await expect(page.getByTestId("jobs-empty")).toContainText("curl -X POST");

  await page.getByRole("radio", { name: "Summarize" }).check();
  await page.getByRole("radio", { name: "A text" }).check();
  await page.getByLabel("Text", { exact: true }).fill(TEXT);
  await page.getByLabel("Length").selectOption("short");
  // Marks this document: if the list only showed the result after a reload, the mark would be gone.
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  await page.getByRole("button", { name: "Start job" }).click();

  await expect(page.getByTestId("job-created")).toContainText("queued");
  const row = page.getByTestId("job-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Summarize");
  await expect(row).toHaveAttribute("data-status", "completed", { timeout: 60_000 });
  await expect(row.getByTestId("job-status")).toHaveText("Completed");
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  await page.screenshot({ path: "test-results/jobs-list.png", fullPage: true });

  await row.getByRole("link").click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "Summarize", level: 1 })).toBeVisible();
  await expect(page.getByTestId("job-status-line")).toContainText("Completed");
  const result = page.getByTestId("summary-result");
  await expect(result.getByRole("heading", { name: "Summary" })).toBeVisible();
  // Extractive without an AI key: whole sentences of the text, shorter than the text.
  const summary = (await result.locator("p").first().innerText()).trim();
  expect(summary.length).toBeGreaterThan(40);
  expect(summary.length).toBeLessThan(TEXT.length);
  expect(TEXT.replace(/\s+/g, " ")).toContain(summary.split(/(?<=\.)\s/)[0]);
  await expect(result.getByRole("heading", { name: "Key points" })).toBeVisible();
  expect(await result.getByRole("listitem").count()).toBeGreaterThan(0);
  await page.getByText("Payload (JSON)").click();
  await expect(page.getByText('"length": "short"')).toBeVisible();
  await page.screenshot({ path: "test-results/jobs-detail.png", fullPage: true });
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("an invalid job shows the API's message under the field, and starts nothing", async ({ page }) => {
    await signUpInBrowser(page, freshEmail("jobs"));
    await page.goto("/jobs");
    await page.getByRole("radio", { name: "A web page" }).check();
    const address = page.getByLabel("Page address");
    await address.fill("not a web address");
    await page.getByRole("button", { name: "Start job" }).click();

    await expect(address).toHaveAttribute("aria-invalid", "true");
    await expect(address).toHaveAccessibleDescription(/full http:\/\/ or https:\/\/ address/);
    await expect(address).toBeFocused();
    await expect(page.getByTestId("job-row")).toHaveCount(0);
    // The page fits the phone: nothing scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: "test-results/jobs-field-error-phone.png", fullPage: true });
  });
});

test("a new API token's webhook signing secret is shown once, beside the token", async ({ page }) => {
  await signUpInBrowser(page, freshEmail("jobs"));
  await page.goto("/settings/tokens");
  await page.getByLabel("Name").fill("webhook sender");
  await page.getByLabel("Read and write").check();
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token-value")).toHaveText(/^fc_/);
  await expect(page.getByTestId("new-webhook-secret")).toHaveText(/^whsec_[A-Za-z0-9+/=]{20,}$/);
  await page.reload();
  await expect(page.getByTestId("new-webhook-secret")).toHaveCount(0);
});
