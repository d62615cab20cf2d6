import { describe, expect, it } from "vitest";
import { episodeStatus, isTerminalEpisode } from "./view";

const row = (probe: unknown = null) => ({ probe, publishedAt: null });

describe("an episode's status", () => {
  it("follows its run: analysing, waiting for review, publishing, published, failed", () => {
    expect(episodeStatus({ status: "running", phase: "analyse" }, row())).toBe("processing");
    expect(episodeStatus({ status: "waiting", phase: "publish" }, row({ silenceOnly: false }))).toBe("ready_for_review");
    expect(episodeStatus({ status: "running", phase: "publish" }, row())).toBe("publishing");
    expect(episodeStatus({ status: "completed", phase: "publish" }, row())).toBe("published");
    expect(episodeStatus({ status: "failed", phase: "analyse" }, row())).toBe("failed");
  });

  it("says 'no speech' for silence waiting at the gate", () => {
    expect(episodeStatus({ status: "waiting", phase: "publish" }, row({ silenceOnly: true }))).toBe("no_speech");
  });

  it("ends a live stream once nothing happens without the person", () => {
    expect(["processing", "publishing"].map((s) => isTerminalEpisode(s as never))).toEqual([false, false]);
    expect(["ready_for_review", "no_speech", "published", "failed"].map((s) => isTerminalEpisode(s as never))).toEqual([true, true, true, true]);
  });
});
