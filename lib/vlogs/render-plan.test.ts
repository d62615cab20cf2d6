import { describe, expect, it } from "vitest";
import { STYLES } from "./plan";
import { onScreenText, renderKeys, stillSize, supersededKeys, veoClipRequest } from "./render-plan";
import type { StoryboardDoc } from "./storyboard";
import { buildTimeline } from "./timeline";

const doc = (captions: string[], title = "A day out"): StoryboardDoc => ({
  title,
  style: "calm",
  writer: "local",
  dropped: [],
  shots: captions.map((caption, i) => ({ mediaId: `00000000-0000-4000-8000-00000000000${i}`, caption, duration: i === 0 ? 2 : 9 })),
});

describe("where a render's files go", () => {
  it("gives each generation its own keys, so a re-render never overwrites the video being watched", () => {
    const first = renderKeys("v1", 0);
    const second = renderKeys("v1", 1);
    expect(first.video).toMatch(/\.mp4$/);
    expect(first.poster).toMatch(/\.jpg$/);
    expect(second.video).not.toBe(first.video);
    expect(second.clip("m1")).not.toBe(second.clip("m2"));
  });

  it("deletes the files of the render it replaces, and nothing on a first render", () => {
    const now = { videoKey: "vlogs/v1/g1/video.mp4", posterKey: "vlogs/v1/g1/poster.jpg" };
    expect(supersededKeys({ videoKey: null, posterKey: null }, now)).toEqual([]);
    expect(supersededKeys({ videoKey: "vlogs/v1/g0/video.mp4", posterKey: "vlogs/v1/g0/poster.jpg" }, now)).toEqual([
      "vlogs/v1/g0/video.mp4",
      "vlogs/v1/g0/poster.jpg",
    ]);
    expect(supersededKeys(now, now)).toEqual([]);
  });
});

describe("what appears on screen", () => {
  it("wraps long captions to the frame's width, shows none for an empty one, and wraps the title narrower", () => {
    const long = "A long walk along the harbour wall at dusk with the boats coming in and the lights going on";
    const text = onScreenText(buildTimeline(doc([long, "  "], "Harbour evenings with friends and family"), { resolution: "720p" }));
    const lines = text.captions[0]!.split("\n");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((l) => l.length <= 44)).toBe(true); // 16:9 → 44 characters a line
    expect(lines.join(" ")).toBe(long);
    expect(text.captions[1]).toBeNull();
    expect(text.title!.split("\n").every((l) => l.length <= 26)).toBe(true);
  });

  it("has no title text without a title", () => {
    expect(onScreenText(buildTimeline(doc(["One"], ""), { resolution: "720p" })).title).toBeNull();
  });

  it("prepares photos larger than the frame, leaving room to pan and zoom", () => {
    const size = stillSize(buildTimeline(doc(["One"]), { resolution: "1080p" }));
    expect(size.width).toBeGreaterThan(1920);
    expect(size.width / size.height).toBeCloseTo(16 / 9, 2);
  });
});

describe("what Veo is asked for", () => {
  it("asks for the shot's caption in the style's mood, 5 to 8 seconds long, in the frame's shape", () => {
    const timeline = buildTimeline(doc(["Boats at dusk", "Lights"]), { resolution: "720p" });
    const short = veoClipRequest(timeline.shots[0], "calm", timeline);
    const long = veoClipRequest(timeline.shots[1], "calm", timeline);
    expect(short.prompt).toContain("Boats at dusk.");
    expect(short.prompt).toContain(STYLES.calm.description);
    expect(short.durationSeconds).toBe(5);
    expect(long.durationSeconds).toBe(8);
    expect(short.aspectRatio).toBe("16:9");
    expect(veoClipRequest(timeline.shots[0], "calm", { ...timeline, width: 720, height: 1280 }).aspectRatio).toBe("9:16");
  });
});
