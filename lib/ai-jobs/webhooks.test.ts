// The webhook address guard at delivery time: only public addresses, whatever the name
// resolves to now; the test setting (or a named intranet host) lets loopback through.
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "@/lib/errors";
import { checkWebhookAddress, webhookMessageId } from "./webhooks";

const resolvesTo = (...addresses: string[]) => async () => addresses;

async function refusal(url: string, resolve = resolvesTo("93.184.215.14")): Promise<string> {
  try {
    await checkWebhookAddress(url, { allowPrivateHosts: false, resolve });
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return (err as InvalidInputError).fields.webhookUrl;
  }
  throw new Error(`${url} was let through`);
}

describe("webhook addresses", () => {
  it("refuses loopback, private, link-local/metadata and IPv4-mapped addresses", async () => {
    expect(await refusal("http://127.0.0.1:8080/hook", resolvesTo("127.0.0.1"))).toMatch(/public addresses/);
    expect(await refusal("http://10.1.2.3/hook", resolvesTo("10.1.2.3"))).toMatch(/resolves to/);
    expect(await refusal("http://169.254.169.254/latest/meta-data", resolvesTo("169.254.169.254"))).toMatch(/resolves to/);
    expect(await refusal("http://[::ffff:127.0.0.1]/hook", resolvesTo("::ffff:127.0.0.1"))).toMatch(/resolves to/);
  });

  it("refuses a public-looking name that resolves to our network (any of its addresses)", async () => {
    expect(await refusal("https://hooks.example.com/x", resolvesTo("93.184.215.14", "192.168.1.10"))).toMatch(/resolves to/);
  });

  it("lets public addresses through, and loopback only by the explicit setting or an allowed host name", async () => {
    await expect(checkWebhookAddress("https://hooks.example.com/x", { allowPrivateHosts: false, resolve: resolvesTo("93.184.215.14") })).resolves.toBeUndefined();
    await expect(checkWebhookAddress("http://127.0.0.1:9/x", { allowPrivateHosts: true })).resolves.toBeUndefined();
    await expect(checkWebhookAddress("http://intranet.local/x", { allowPrivateHosts: ["intranet.local"], resolve: resolvesTo("10.0.0.5") })).resolves.toBeUndefined();
    expect(await refusal("http://other.local/x", resolvesTo("10.0.0.5"))).toMatch(/resolves to/);
  });

  it("gives each finished state of a job its own event id, stable across retries", () => {
    const id = "3f2c1a9e-1b2c-4d5e-8f90-1234567890ab";
    expect(webhookMessageId(id, 4)).toBe("msg_3f2c1a9e1b2c4d5e8f901234567890ab_v4");
    expect(webhookMessageId(id, 4)).toBe(webhookMessageId(id, 4));
    expect(webhookMessageId(id, 9)).not.toBe(webhookMessageId(id, 4));
  });
});
