import { describe, expect, it } from "vitest";
import { buildRenderArgs, wrapText } from "./ffmpeg-args";
import type { StoryboardDoc } from "./storyboard";
import { buildTimeline } from "./timeline";

const doc = (durations: number[], title = "A day out"): StoryboardDoc => ({
  title,
  style: "upbeat",
  writer: "local",
  dropped: [],
  shots: durations.map((duration, i) => ({ mediaId: `00000000-0000-4000-8000-00000000000${i}`, caption: `Shot ${i + 1}`, duration })),
});

describe("timeline", () => {
  it("adds up clips minus the overlapping transitions, with a title card first", () => {
    const t = buildTimeline(doc([2.5, 3, 2.5]), { resolution: "720p" });
    expect(t).toMatchObject({ width: 1280, height: 720, fps: 30, transition: { name: "slideleft", duration: 0.4 }, title: { text: "A day out", duration: 2.5 } });
    // 2.5 (title) + 2.5 + 3 + 2.5 − 3 transitions × 0.4
    expect(t.total).toBeCloseTo(9.3, 5);
    expect(t.shots.map((s) => s.start)).toEqual([2.1, 4.2, 6.8]);
  });

  it("has no title card without a title, and renders 1080p when asked", () => {
    const t = buildTimeline(doc([4, 4], ""), { resolution: "1080p" });
    expect(t.title).toBeNull();
    expect([t.width, t.height]).toEqual([1920, 1080]);
    expect(t.total).toBeCloseTo(7.6, 5);
  });

  it("builds one ffmpeg input per shot and crossfades at the timeline's start times", () => {
    const t = buildTimeline(doc([2.5, 3]), { resolution: "720p" });
    const args = buildRenderArgs({
      timeline: t,
      sources: t.shots.map((_, i) => ({ kind: "still", path: `/tmp/x/shot-${i}.jpg` })),
      captionFiles: t.shots.map((_, i) => `/tmp/x/caption-${i}.txt`),
      titleFile: "/tmp/x/title.txt",
      output: "/tmp/x/video.mp4",
    });
    const graph = args[args.indexOf("-filter_complex") + 1];
    expect(args.filter((a) => a === "-i")).toHaveLength(2);
    expect(graph).toContain("xfade=transition=slideleft:duration=0.4:offset=2.1");
    expect(graph).toContain("xfade=transition=slideleft:duration=0.4:offset=4.2");
    expect(graph).toContain("zoompan=");
    expect(graph).toContain("drawtext=textfile=/tmp/x/caption-0.txt:expansion=none");
    expect(args.at(-1)).toBe("/tmp/x/video.mp4");
    expect(args.join(" ")).toContain("-progress pipe:1");
    expect(args).toEqual(expect.arrayContaining(["-movflags", "+faststart", "-c:v", "libx264", "-pix_fmt", "yuv420p"]));
    expect(() =>
      buildRenderArgs({ timeline: t, sources: t.shots.map(() => ({ kind: "still", path: "/tmp/x/it's.jpg" })), captionFiles: ["/tmp/x/a:b.txt", null], titleFile: null, output: "/tmp/x/o.mp4" }),
    ).toThrow(/Unsafe path/);
  });
});

describe("ffmpeg helpers", () => {
  it("wraps captions into lines that fit", () => {
    expect(wrapText("the quick brown fox jumps over the lazy dog", 15)).toBe("the quick brown\nfox jumps over\nthe lazy dog");
  });
});
