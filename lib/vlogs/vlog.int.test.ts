// Vlogs end to end over the HTTP handlers, with the real worker runtime, Postgres, Redis,
// storage and ffmpeg: photos in, storyboard reviewed and edited, MP4 out and checked
// with ffprobe, share link made and revoked, nobody else's vlog reachable.
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as mediaStream } from "@/app/api/v1/media/stream/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { GET as sharedPoster } from "@/app/api/shared/[token]/poster/route";
import { GET as sharedVideo } from "@/app/api/shared/[token]/video/route";
import { GET as getPoster } from "@/app/api/v1/vlogs/[id]/poster/route";
import { POST as proceed } from "@/app/api/v1/vlogs/[id]/proceed/route";
import { GET as getProgress } from "@/app/api/v1/vlogs/[id]/progress/route";
import { POST as resume } from "@/app/api/v1/vlogs/[id]/resume/route";
import { GET as getVlog } from "@/app/api/v1/vlogs/[id]/route";
import { GET as metrics } from "@/app/api/metrics/route";
import { DELETE as unshare, POST as share } from "@/app/api/v1/vlogs/[id]/share/route";
import { PATCH as patchStoryboard } from "@/app/api/v1/vlogs/[id]/storyboard/route";
import { GET as getVideo } from "@/app/api/v1/vlogs/[id]/video/route";
import { GET as listVlogs, POST as createVlog } from "@/app/api/v1/vlogs/route";
import { GET as vlogStream } from "@/app/api/v1/vlogs/stream/route";
import { db } from "@/lib/db";
import { makeJpeg } from "@/test/test-images";
import { createRedis } from "@/lib/redis";
import { call, photoForm, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { getRunHistory } from "@/lib/workflow/repository";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import type { Timeline } from "./timeline";
import type { VlogDetail, VlogView } from "./view";
import { closeConnections, processorDeps } from "@/test/worker";

const METRICS_TOKEN = "vlog-metrics-token-0123456789";

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let alice: string;
let bob: string;

beforeAll(async () => {
  iso = await isolate({ APP_URL: "http://vlogs.test", METRICS_TOKEN: METRICS_TOKEN });
  lockRedis = createRedis("lock");
  runtime = startWorkers(
    buildProcessors(processorDeps(lockRedis)),
    { concurrency: 2, log: () => {} },
  );
  alice = await signUp("alice@example.com");
  bob = await signUp("bob@example.com");
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
});

async function uploadAndAnalyse(cookie: string, files: { name: string; bytes: Buffer }[]): Promise<string[]> {
  const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm(files) });
  expect(res.status).toBe(202);
  const ids = ((await res.json()).media as { id: string }[]).map((m) => m.id);
  const stream = await call(mediaStream, { path: `/api/v1/media/stream?ids=${ids.join(",")}`, cookie });
  await readSse(stream);
  return ids;
}

const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { "content-type": "application/json" } });

/** Follows the vlog's SSE stream until `until` holds for an update; returns every update seen. */
async function follow(cookie: string, id: string, until: (v: VlogView) => boolean): Promise<VlogView[]> {
  const res = await call(vlogStream, { path: `/api/v1/vlogs/stream?ids=${id}`, cookie });
  expect(res.status).toBe(200);
  const messages = await readSse(res, (m) => m.event === "vlog" && until(m.data as VlogView));
  return messages.filter((m) => m.event === "vlog").map((m) => m.data as VlogView);
}

async function detail(cookie: string, id: string): Promise<VlogDetail> {
  const res = await call(getVlog, { path: `/api/v1/vlogs/${id}`, cookie, params: { id } });
  expect(res.status).toBe(200);
  return res.json();
}

function probe(file: string) {
  const out = execFileSync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height,pix_fmt:format=duration", "-of", "json", file], { encoding: "utf8" });
  const parsed = JSON.parse(out) as { streams: { codec_name: string; width: number; height: number; pix_fmt: string }[]; format: { duration: string } };
  return { ...parsed.streams[0], duration: Number(parsed.format.duration) };
}

describe("vlogs", () => {
  let vlogId: string;
  let photos: string[];

  it("makes a storyboard from photos at once, in order, without near-duplicates, then waits for review", async () => {
    const files = await Promise.all(
      [1, 2, 3, 4, 5].map(async (seed) => ({ name: `p${seed}.jpg`, bytes: await makeJpeg({ width: 960, height: 640, seed: seed * 17, exif: seed % 2 === 1 }) })),
    );
    // The same picture again at another size: a near-duplicate the storyboard drops.
    files.push({ name: "p1-again.jpg", bytes: await makeJpeg({ width: 800, height: 533, seed: 17, exif: true }) });
    photos = await uploadAndAnalyse(alice, files);

    const res = await call(createVlog, { path: "/api/v1/vlogs", method: "POST", cookie: alice, ...json({ mediaIds: photos, title: "Our trip", style: "upbeat" }) });
    expect(res.status).toBe(202);
    const created = await res.json();
    expect(created).toEqual({ vlogId: expect.any(String), status: "processing" });
    vlogId = created.vlogId;

    const updates = await follow(alice, vlogId, (v) => v.status === "storyboard_ready" || v.status === "failed");
    expect(updates.at(-1)!.status).toBe("storyboard_ready");
    // Progress was shown live, step by step, and never went backwards.
    expect(updates.some((u) => u.status === "processing" && u.stepLabel === "Choosing shots")).toBe(true);
    const percents = updates.map((u) => u.progress);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));

    const progress = await (await call(getProgress, { path: `/api/v1/vlogs/${vlogId}/progress`, cookie: alice, params: { id: vlogId } })).json();
    expect(progress).toMatchObject({ currentPhase: "render", currentStep: "think", completedPhases: ["storyboard"], canProceed: true, requiresManualTrigger: true });

    const v = await detail(alice, vlogId);
    expect(v.title).toBe("Our trip");
    expect(v.storyboard!.shots).toHaveLength(5);
    expect(v.storyboard!.dropped).toEqual([expect.objectContaining({ reason: expect.stringMatching(/near-duplicate/) })]);
    expect([photos[0], photos[5]]).toContain(v.storyboard!.dropped[0].mediaId);
    expect(v.storyboard!.shots.every((s) => s.caption.length > 0 && s.duration === 2.5)).toBe(true);
    expect(v.storyboard!.writer).toBe("local");
    expect(v.steps.slice(0, 3).map((s) => [s.status, s.attempts])).toEqual([["succeeded", 1], ["succeeded", 1], ["succeeded", 1]]);
    expect(v.videoUrl).toBeNull();
  });

  it("counts open vlog streams in the metrics, by kind", async () => {
    const openVlogStreams = async () => {
      const text = await (await call(metrics, { path: "/api/metrics", headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      return Number(text.match(/^framecast_sse_streams_open\{stream="vlog"\} (\d+)$/m)?.[1]);
    };
    expect(await openVlogStreams()).toBe(0);
    // The vlog waits for review, so its stream stays open until the page goes away.
    const controller = new AbortController();
    const res = await call(vlogStream, { path: `/api/v1/vlogs/stream?ids=${vlogId}`, cookie: alice, signal: controller.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = "";
    while (!received.includes("event: vlog")) received += (await reader.read()).value ?? "";
    expect(await openVlogStreams()).toBe(1);
    controller.abort();
    await reader.cancel().catch(() => {});
    expect(await openVlogStreams()).toBe(0);
  });

  it("refuses edits that would add a stranger's photo or overwrite a newer storyboard", async () => {
    const v = await detail(alice, vlogId);
    const shots = v.storyboard!.shots.map(({ mediaId, caption }) => ({ mediaId, caption }));
    const foreign = await call(patchStoryboard, {
      path: `/api/v1/vlogs/${vlogId}/storyboard`,
      method: "PATCH",
      cookie: alice,
      params: { id: vlogId },
      ...json({ shots: [...shots, { mediaId: "00000000-0000-4000-8000-000000000000", caption: "x" }] }),
    });
    expect(foreign.status).toBe(422);
    const stale = await call(patchStoryboard, {
      path: `/api/v1/vlogs/${vlogId}/storyboard`,
      method: "PATCH",
      cookie: alice,
      params: { id: vlogId },
      ...json({ baseVersion: v.storyboardVersion - 1, title: "Old" }),
    });
    expect(stale.status).toBe(409);
  });

  it("renders the edited storyboard into an MP4 whose duration and size match the timeline", { timeout: 240_000 }, async () => {
    const before = await detail(alice, vlogId);
    const reordered = [...before.storyboard!.shots].reverse().map((s, i) => ({ mediaId: s.mediaId, caption: i === 0 ? "Edited: the very first shot" : s.caption, duration: i === 1 ? 3 : s.duration }));
    const edited = await call(patchStoryboard, {
      path: `/api/v1/vlogs/${vlogId}/storyboard`,
      method: "PATCH",
      cookie: alice,
      params: { id: vlogId },
      ...json({ baseVersion: before.storyboardVersion, shots: reordered }),
    });
    expect(edited.status).toBe(200);
    const afterEdit: VlogDetail = await edited.json();
    expect(afterEdit.storyboard!.shots.map((s) => s.mediaId)).toEqual(reordered.map((s) => s.mediaId));
    expect(afterEdit.storyboard!.shots[0].caption).toBe("Edited: the very first shot");
    expect(afterEdit.storyboard!.writer).toBe("edited (local)");

    const res = await call(proceed, { path: `/api/v1/vlogs/${vlogId}/proceed`, method: "POST", cookie: alice, params: { id: vlogId } });
    expect(res.status).toBe(202);
    const updates = await follow(alice, vlogId, (v) => v.status === "completed" || v.status === "failed");
    const final = updates.at(-1)!;
    expect(final.status).toBe("completed");
    expect(updates.some((u) => u.stepLabel === "Rendering the video" && u.stepProgress > 0 && u.stepProgress < 1)).toBe(true);
    const percents = updates.map((u) => u.progress);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));

    const run = await getRunHistory(db(), (await db().vlog.findUniqueOrThrow({ where: { id: vlogId } })).runId);
    const timeline = (run!.steps.find((s) => s.phase === "render" && s.step === "think")!.output as unknown as { timeline: Timeline }).timeline;
    expect(timeline.shots.map((s) => s.mediaId)).toEqual(reordered.map((s) => s.mediaId));
    expect(timeline.shots[1].duration).toBe(3);

    const row = await db().vlog.findUniqueOrThrow({ where: { id: vlogId } });
    const file = path.join(iso.dataDir, "objects", row.videoKey!);
    const info = probe(file);
    expect(info).toMatchObject({ codec_name: "h264", width: 1280, height: 720, pix_fmt: "yuv420p" });
    expect(Math.abs(info.duration - timeline.total)).toBeLessThan(0.1);
    // faststart: the index comes before the media data, so playback starts before download ends.
    const head = (await readFile(file)).subarray(0, 64 * 1024).toString("latin1");
    expect(head.indexOf("moov")).toBeGreaterThan(0);
    expect(head.indexOf("moov")).toBeLessThan(head.indexOf("mdat") === -1 ? Infinity : head.indexOf("mdat"));

    const v = await detail(alice, vlogId);
    expect(v).toMatchObject({ status: "completed", progress: 1, width: 1280, height: 720, canProceed: false });
    expect(v.durationSec).toBeCloseTo(timeline.total, 1);
    expect(v.share!.url).toMatch(/^http:\/\/vlogs\.test\/s\/[A-Za-z0-9_-]{43}$/);

    // The page's player asks for ranges; the poster is a JPEG.
    const partial = await call(getVideo, { path: `/api/v1/vlogs/${vlogId}/video`, cookie: alice, params: { id: vlogId }, headers: { range: "bytes=0-99" } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get("content-range")).toBe(`bytes 0-99/${row.bytes}`);
    expect((await partial.arrayBuffer()).byteLength).toBe(100);
    const download = await call(getVideo, { path: `/api/v1/vlogs/${vlogId}/video?download=1`, cookie: alice, params: { id: vlogId } });
    expect(download.headers.get("content-disposition")).toMatch(/^attachment; filename="Our trip.mp4"/);
    await download.body?.cancel();
    const poster = await call(getPoster, { path: `/api/v1/vlogs/${vlogId}/poster`, cookie: alice, params: { id: vlogId } });
    expect(Buffer.from(await poster.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

    // Every step ran exactly once.
    expect(v.steps.map((s) => [s.phase, s.step, s.status, s.attempts])).toEqual([
      ["storyboard", "think", "succeeded", 1],
      ["storyboard", "execute", "succeeded", 1],
      ["storyboard", "integrate", "succeeded", 1],
      ["render", "think", "succeeded", 1],
      ["render", "execute", "succeeded", 1],
      ["render", "integrate", "succeeded", 1],
    ]);
  });

  it("shares through an unguessable public link that stops working when revoked", async () => {
    const v = await detail(alice, vlogId);
    const token = v.share!.url.split("/s/")[1];
    const publicVideo = await call(sharedVideo, { path: `/api/shared/${token}/video`, params: { token } });
    expect(publicVideo.status).toBe(200);
    expect(publicVideo.headers.get("content-type")).toBe("video/mp4");
    await publicVideo.body?.cancel();
    expect((await call(sharedPoster, { path: `/api/shared/${token}/poster`, params: { token } })).status).toBe(200);

    const revoked = await call(unshare, { path: `/api/v1/vlogs/${vlogId}/share`, method: "DELETE", cookie: alice, params: { id: vlogId } });
    expect((await revoked.json()).share).toBeNull();
    expect((await call(sharedVideo, { path: `/api/shared/${token}/video`, params: { token } })).status).toBe(404);
    expect((await call(sharedPoster, { path: `/api/shared/${token}/poster`, params: { token } })).status).toBe(404);

    const again = await (await call(share, { path: `/api/v1/vlogs/${vlogId}/share`, method: "POST", cookie: alice, params: { id: vlogId } })).json();
    const fresh = again.share.url.split("/s/")[1];
    expect(fresh).not.toBe(token);
    const ok = await call(sharedVideo, { path: `/api/shared/${fresh}/video`, params: { token: fresh } });
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });

  it("goes back to review when a finished vlog's storyboard is edited, keeping the old video until re-rendered", async () => {
    const v = await detail(alice, vlogId);
    const res = await call(patchStoryboard, {
      path: `/api/v1/vlogs/${vlogId}/storyboard`,
      method: "PATCH",
      cookie: alice,
      params: { id: vlogId },
      ...json({ title: "Our trip, take two" }),
    });
    const edited: VlogDetail = await res.json();
    expect(edited).toMatchObject({ status: "storyboard_ready", canProceed: true, title: "Our trip, take two", videoUrl: v.videoUrl });
    expect(edited.steps.slice(3).map((s) => s.status)).toEqual(["pending", "pending", "pending"]);
    const resumeRes = await call(resume, { path: `/api/v1/vlogs/${vlogId}/resume`, method: "POST", cookie: alice, params: { id: vlogId } });
    expect(resumeRes.status).toBe(409);
  });

  it("answers the polling fallback (?ids=) with just the vlogs asked for", async () => {
    // A second vlog, so the answer is visibly filtered, not the whole list.
    const other = await call(createVlog, { path: "/api/v1/vlogs", method: "POST", cookie: alice, ...json({ mediaIds: [photos[1], photos[2]], title: "Another" }) });
    expect(other.status).toBe(202);
    const all = (await (await call(listVlogs, { path: "/api/v1/vlogs", cookie: alice })).json()).vlogs as VlogView[];
    expect(all.length).toBeGreaterThanOrEqual(2);
    const polled = await call(listVlogs, { path: `/api/v1/vlogs?ids=${vlogId}`, cookie: alice });
    expect(polled.status).toBe(200);
    const { vlogs } = (await polled.json()) as { vlogs: VlogView[] };
    expect(vlogs.map((v) => v.id)).toEqual([vlogId]);
    expect(vlogs[0]).toMatchObject({ title: expect.any(String), status: expect.any(String), version: expect.any(Number) });
    expect((await call(listVlogs, { path: "/api/v1/vlogs?ids=not-an-id", cookie: alice })).status).toBe(404);
    expect((await call(listVlogs, { path: "/api/v1/vlogs?ids=", cookie: alice })).status).toBe(400);
  });

  it("rejects photos that are not yours or not analysed, and shows nobody else's vlog", async () => {
    const foreign = await call(createVlog, { path: "/api/v1/vlogs", method: "POST", cookie: bob, ...json({ mediaIds: [photos[1]] }) });
    expect(foreign.status).toBe(404);
    const empty = await call(createVlog, { path: "/api/v1/vlogs", method: "POST", cookie: alice, ...json({ mediaIds: [] }) });
    expect(empty.status).toBe(422);

    const missing = "00000000-0000-4000-8000-000000000000";
    for (const id of [vlogId, missing]) {
      const params = { id };
      const responses = await Promise.all([
        call(getVlog, { path: `/api/v1/vlogs/${id}`, cookie: bob, params }),
        call(getProgress, { path: `/api/v1/vlogs/${id}/progress`, cookie: bob, params }),
        call(proceed, { path: `/api/v1/vlogs/${id}/proceed`, method: "POST", cookie: bob, params }),
        call(resume, { path: `/api/v1/vlogs/${id}/resume`, method: "POST", cookie: bob, params }),
        call(patchStoryboard, { path: `/api/v1/vlogs/${id}/storyboard`, method: "PATCH", cookie: bob, params, ...json({ title: "Mine now" }) }),
        call(getVideo, { path: `/api/v1/vlogs/${id}/video`, cookie: bob, params }),
        call(getPoster, { path: `/api/v1/vlogs/${id}/poster`, cookie: bob, params }),
        call(share, { path: `/api/v1/vlogs/${id}/share`, method: "POST", cookie: bob, params }),
        call(vlogStream, { path: `/api/v1/vlogs/stream?ids=${id}`, cookie: bob }),
      ]);
      expect(responses.map((r) => r.status)).toEqual(Array(9).fill(404));
      // The polling fallback leaves out what is not theirs, as it does for photos.
      expect((await (await call(listVlogs, { path: `/api/v1/vlogs?ids=${id}`, cookie: bob })).json()).vlogs).toEqual([]);
    }
    expect((await (await call(listVlogs, { path: "/api/v1/vlogs", cookie: bob })).json()).vlogs).toEqual([]);
    expect((await call(getVlog, { path: `/api/v1/vlogs/${vlogId}`, params: { id: vlogId } })).status).toBe(401);
    const bogus = "A".repeat(43);
    expect((await call(sharedVideo, { path: `/api/shared/${bogus}/video`, params: { token: bogus } })).status).toBe(404);
  });
});
