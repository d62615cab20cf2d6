// Defaults that only make sense together.
import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

describe("configuration defaults", () => {
  it("leaves room under the provider cap for one worker's photos and AI jobs at once", () => {
    // Photo captions and AI jobs share AI_MAX_CONCURRENT_REQUESTS (lib/ai/chain.ts). With a cap
    // below one worker's photos, 10 photos took three waves of calls instead of two (bench row 8).
    const config = parseEnv({});
    const aiJobs = config.JOB_QUEUE_WORKER_COUNT ?? config.WORKER_CONCURRENCY;
    expect(config.AI_MAX_CONCURRENT_REQUESTS).toBeGreaterThanOrEqual(config.WORKER_CONCURRENCY + aiJobs);
  });
});
