import { describe, expect, it } from "vitest";
import { metricsAccess } from "./auth";

const TOKEN = "a-long-enough-metrics-token";

describe("metricsAccess", () => {
  it("is off without a configured token, whatever the caller sends", () => {
    expect(metricsAccess(`Bearer ${TOKEN}`, undefined)).toBe("disabled");
  });

  it("wants exactly the bearer token", () => {
    expect(metricsAccess(`Bearer ${TOKEN}`, TOKEN)).toBe("allowed");
    expect(metricsAccess(`bearer ${TOKEN}`, TOKEN)).toBe("allowed");
    expect(metricsAccess(null, TOKEN)).toBe("denied");
    expect(metricsAccess(TOKEN, TOKEN)).toBe("denied");
    expect(metricsAccess(`Bearer ${TOKEN}x`, TOKEN)).toBe("denied");
    expect(metricsAccess(`Basic ${Buffer.from(`u:${TOKEN}`).toString("base64")}`, TOKEN)).toBe("denied");
  });
});
