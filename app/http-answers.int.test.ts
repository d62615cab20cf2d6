// What an HTTP client sees of the real web process (`next start`, built for real), headers
// included, since Next.js itself changes them on the way out: file answers of every kind
// (photo original and thumbnail, vlog video and poster, episode audio) with an exact
// Content-Length (200 and 206), Content-Range, HEAD and the sandbox CSP; file names kept
// as given (whole characters, extension, an RFC 8187 download header); every file past
// the per-request limit named; live streams, answered before Next by the live front, with
// the headers Next gives every API answer; the Origin check comparing scheme, host and port; unknown
// API addresses answering the JSON error shape.
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import http from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { BODY_LENGTH_HEADER } from "@/lib/http/content-length";
import { FILE_CSP } from "@/lib/http/files";
import { publishedKey, sourceKey } from "@/lib/podcasts/keys";
import { EPISODE_KIND, EPISODE_PLAN } from "@/lib/podcasts/plan";
import { storage } from "@/lib/storage/instance";
import { VLOG_KIND, VLOG_PLAN } from "@/lib/vlogs/plan";
import { renderKeys } from "@/lib/vlogs/render-plan";
import { createRun } from "@/lib/workflow/repository";
import { audioDir, makeTone } from "@/test/audio";
import { API_CSP, COMMON_SECURITY_HEADERS } from "@/lib/security/headers";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { ensureNextBuild, startNext } from "@/test/next-app";
import { bounded, freePort, startWorker, waitFor, type Child } from "@/test/processes";
import { makeJpeg } from "@/test/test-images";
import { closeConnections } from "@/test/worker";

let iso: IsolatedEnv;
let port: number;
let base: string;
let cookie: string;
let seeded: Awaited<ReturnType<typeof seedVlogAndEpisode>>;
const children: Child[] = [];

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A raw request, so that the headers are exactly those on the wire (fetch hides framing). */
function request(method: string, pathname: string, opts: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Signed in unless the caller says `cookie: ""`.
    const headers = Object.fromEntries(Object.entries({ cookie, ...opts.headers }).filter(([, v]) => v));
    const req = http.request({ host: "127.0.0.1", port, method, path: pathname, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** A multipart body as a browser builds it (file names as raw UTF-8). */
function multipart(files: { name: string; bytes: Buffer }[]): { body: Buffer; type: string } {
  const boundary = "----framecast-http-answers";
  const parts = files.flatMap((f) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name.replace(/"/g, "%22")}"\r\nContent-Type: image/jpeg\r\n\r\n`),
    f.bytes,
    Buffer.from("\r\n"),
  ]);
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

interface Uploaded {
  media: { id: string; name: string; status: string }[];
  rejected: { name: string; error: string }[];
}

async function upload(files: { name: string; bytes: Buffer }[], origin = base): Promise<{ status: number; json: Uploaded & { error?: { message: string } } }> {
  const { body, type } = multipart(files);
  const answer = await request("POST", "/api/v1/media", { body, headers: { origin, "content-type": type, "content-length": String(body.length) } });
  return { status: answer.status, json: JSON.parse(answer.body.toString("utf8")) };
}

/** The name a client that reads RFC 6266/8187 saves the download under. */
function savedName(disposition: string | undefined): string {
  const star = /filename\*=UTF-8''([^\s;]+)$/.exec(disposition ?? "");
  expect(star, disposition).not.toBeNull();
  expect(star![1], "only attr-chars unencoded").toMatch(/^(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})+$/);
  return decodeURIComponent(star![1]);
}

/** An exact length and no chunking: what podcast apps and download managers rely on. */
function expectFramedByLength(answer: Answer, length: number, where: string) {
  expect(answer.headers["transfer-encoding"], `${where}: Transfer-Encoding`).toBeUndefined();
  expect(answer.headers["content-length"], `${where}: Content-Length`).toBe(String(length));
  expect(answer.headers[BODY_LENGTH_HEADER], `${where}: the private length header stays inside`).toBeUndefined();
}

beforeAll(async () => {
  const build = ensureNextBuild();
  if (build.built) console.log(`[http-answers] built the app in ${build.ms} ms`);
  iso = await isolate();
  port = await freePort(3300, 3349);
  base = `http://127.0.0.1:${port}`;
  const vars = {
    DATABASE_URL: process.env.DATABASE_URL!,
    DATABASE_SCHEMA: iso.schema,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    QUEUE_PREFIX: iso.prefix,
    DATA_DIR: iso.dataDir,
    APP_URL: base,
  };
  children.push(await startNext(port, { ...vars, LOG_LEVEL: "warn" }, "next-http"));
  children.push(await startWorker({ ...vars, WORKER_CONCURRENCY: "2" }, { env: { ...process.env, ...vars } }));
  await waitFor("the web app to answer", async () => (await request("GET", "/api/v1/media")).status === 401, 60_000, 200);
  const signup = await request("POST", "/api/auth/signup", {
    headers: { "content-type": "application/json", origin: base },
    body: Buffer.from(JSON.stringify({ email: "http-answers@example.com", password: "a long enough password" })),
  });
  expect(signup.status, signup.body.toString()).toBe(201);
  cookie = String(signup.headers["set-cookie"]).split(";")[0];
  seeded = await seedVlogAndEpisode();
}, 600_000);

afterAll(async () => {
  await closeConnections();
  for (const child of children) child.kill("SIGKILL");
  await bounded("processes exit", Promise.all(children.map((c) => c.exited)));
  await iso?.teardown();
}, 60_000);

/** A short real MP4 (H.264, as renders are), made with ffmpeg. */
async function makeMp4(): Promise<Buffer> {
  const out = join(audioDir(), `clip-${randomBytes(4).toString("hex")}.mp4`);
  await promisify(execFile)("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=12:d=1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", out]);
  return readFile(out);
}

/**
 * A finished vlog (video and poster) and a published episode (MP3) of the signed-in user,
 * seeded as a render and a publication leave them (no pipeline run: only the answers are
 * under test); the stored objects' bytes, by kind.
 */
async function seedVlogAndEpisode() {
  const owner = await db().user.findUniqueOrThrow({ where: { email: "http-answers@example.com" } });
  const done = async (plan: typeof VLOG_PLAN | typeof EPISODE_PLAN, kind: string) => {
    const run = await createRun(db(), plan, { kind, ownerId: owner.id, input: {}, autoProgressSteps: true, autoProgressPhases: true });
    await db().workflowRun.update({ where: { id: run.id }, data: { status: "completed", startedAt: new Date(), completedAt: new Date() } });
    return run.id;
  };

  const video = await makeMp4();
  const poster = await makeJpeg({ width: 320, height: 180, seed: 77 });
  const vlog = await db().vlog.create({ data: { ownerId: owner.id, runId: await done(VLOG_PLAN, VLOG_KIND), style: "cinematic", resolution: "720p", mediaIds: [] } });
  const keys = renderKeys(vlog.id, 0);
  await storage().putBuffer(keys.video, video, "video/mp4");
  await storage().putBuffer(keys.poster, poster, "image/jpeg");
  await db().vlog.update({ where: { id: vlog.id }, data: { videoKey: keys.video, posterKey: keys.poster, durationSec: 1, width: 160, height: 90, bytes: video.length, renderer: "ffmpeg" } });

  const audio = await readFile(await makeTone(2, { format: "mp3" }));
  const token = randomBytes(16).toString("hex");
  const show = await db().show.create({
    data: { ownerId: owner.id, title: "Answers", author: "Tester", ownerName: "Tester", ownerEmail: owner.email, feedToken: token, podcastGuid: "6f1d2c4e-8a5b-5c3d-9e7f-0a1b2c3d4e5f" },
  });
  const episodeId = randomUUID();
  const source = sourceKey(show.id, episodeId, "mp3");
  await storage().putBuffer(source, audio, "audio/mpeg");
  const published = publishedKey(show.id, episodeId, 0, "audio");
  await storage().putBuffer(published, audio, "audio/mpeg");
  await db().episode.create({
    data: { id: episodeId, ownerId: owner.id, showId: show.id, runId: await done(EPISODE_PLAN, EPISODE_KIND), originalName: "tone.mp3", sourceKey: source, sourceMime: "audio/mpeg", sourceBytes: audio.length, audioKey: published, audioBytes: audio.length, title: "A tone", durationSec: 2 },
  });
  return { vlogId: vlog.id, episodeId, video, poster, audio };
}

describe("file answers", () => {
  it("have an exact Content-Length on 200 and 206, a true Content-Range, and the same headers without a body on HEAD, for every kind of file", { timeout: 120_000 }, async () => {
    const photo = await makeJpeg({ width: 640, height: 480, seed: 4242 });
    const sent = await upload([{ name: "beach.jpg", bytes: photo }]);
    expect(sent.status).toBe(202);
    const id = sent.json.media[0].id;
    await waitFor("the analysis", async () => JSON.parse((await request("GET", `/api/v1/media/${id}`)).body.toString()).status === "done", 90_000, 250);
    const thumbnail = (await request("GET", `/api/v1/media/${id}/thumbnail`)).body;
    expect(thumbnail.subarray(8, 12).toString("latin1")).toBe("WEBP");

    const files = [
      ["original", `/api/v1/media/${id}/original`, photo, "image/jpeg"],
      ["thumbnail", `/api/v1/media/${id}/thumbnail`, thumbnail, "image/webp"],
      ["vlog video", `/api/v1/vlogs/${seeded.vlogId}/video`, seeded.video, "video/mp4"],
      ["vlog poster", `/api/v1/vlogs/${seeded.vlogId}/poster`, seeded.poster, "image/jpeg"],
      ["episode audio", `/api/v1/episodes/${seeded.episodeId}/audio`, seeded.audio, "audio/mpeg"],
    ] as const;
    for (const [what, path, bytes, type] of files) {
      const whole = await request("GET", path);
      expect(whole.status, what).toBe(200);
      expect(whole.body.equals(bytes), what).toBe(true);
      expectFramedByLength(whole, bytes.length, `${what} 200`);
      expect(whole.headers["accept-ranges"], what).toBe("bytes");
      expect(whole.headers["content-type"], what).toBe(type);

      const part = await request("GET", path, { headers: { range: "bytes=100-1099" } });
      expect(part.status, what).toBe(206);
      expect(part.headers["content-range"], what).toBe(`bytes 100-1099/${bytes.length}`);
      expect(part.body.equals(bytes.subarray(100, 1100)), what).toBe(true);
      expectFramedByLength(part, 1000, `${what} 206`);

      const tail = await request("GET", path, { headers: { range: "bytes=-10" } });
      expect(tail.headers["content-range"], what).toBe(`bytes ${bytes.length - 10}-${bytes.length - 1}/${bytes.length}`);
      expect(tail.body.equals(bytes.subarray(-10)), what).toBe(true);

      const head = await request("HEAD", path);
      expect(head.status, what).toBe(200);
      expect(head.body.length, what).toBe(0);
      expectFramedByLength(head, bytes.length, `${what} HEAD`);
      for (const name of ["content-type", "content-disposition", "etag", "cache-control", "content-security-policy"]) {
        expect(head.headers[name], `${what} HEAD ${name}`).toBe(whole.headers[name]);
      }
      const headPart = await request("HEAD", path, { headers: { range: "bytes=0-99" } });
      expect([headPart.status, headPart.headers["content-range"], headPart.headers["content-length"], headPart.body.length], what).toEqual([206, `bytes 0-99/${bytes.length}`, "100", 0]);

      const beyond = await request("GET", path, { headers: { range: `bytes=${bytes.length}-` } });
      expect([beyond.status, beyond.headers["content-range"]], what).toEqual([416, `bytes */${bytes.length}`]);
    }
  });

  it("carry the sandbox CSP, whatever the kind of file, while other API answers carry the API's", async () => {
    const sent = await upload([{ name: "csp.jpg", bytes: await makeJpeg({ width: 64, height: 48, seed: 7 }) }]);
    const id = sent.json.media[0].id;
    const files = [`/api/v1/media/${id}/original`, `/api/v1/vlogs/${seeded.vlogId}/video`, `/api/v1/vlogs/${seeded.vlogId}/poster`, `/api/v1/episodes/${seeded.episodeId}/audio`];
    for (const file of files) {
      for (const method of ["GET", "HEAD"]) {
        const answer = await request(method, file);
        const where = `${method} ${file}`;
        expect(answer.status, where).toBe(200);
        expect(answer.headers["content-security-policy"], where).toBe(FILE_CSP);
        expect(answer.headers["content-security-policy"], where).toContain("sandbox");
        expect(answer.headers["x-content-type-options"], where).toBe("nosniff");
        expect(answer.headers["cross-origin-resource-policy"], where).toBe("same-origin");
      }
    }
    expect((await request("GET", `/api/v1/media/${id}`)).headers["content-security-policy"]).toBe(API_CSP);
  });
});

describe("file names", () => {
  it("are cut between whole characters, keep their extension, and download under the same name", async () => {
    const sent = await upload([{ name: `x${"😀".repeat(300)}.jpg`, bytes: await makeJpeg({ width: 64, height: 48, seed: 8 }) }]);
    expect(sent.status).toBe(202);
    const { id, name } = sent.json.media[0];
    expect(name).not.toContain("\uFFFD");
    expect(name).toMatch(/^x(?:😀)+…\.jpg$/u);
    expect(name.length).toBeLessThanOrEqual(200);
    const original = await request("GET", `/api/v1/media/${id}/original`);
    expect(savedName(original.headers["content-disposition"])).toBe(name);
    expect(original.headers["content-disposition"]).not.toContain("\uFFFD");
  });

  it("are kept as given, markup and slashes included, and download safely encoded", async () => {
    const given = "<script>alert(1)</script>.jpg";
    const sent = await upload([{ name: given, bytes: await makeJpeg({ width: 64, height: 48, seed: 9 }) }]);
    const { id, name } = sent.json.media[0];
    expect(name).toBe(given);
    const view = JSON.parse((await request("GET", `/api/v1/media/${id}`)).body.toString("utf8"));
    expect(view.name).toBe(given);
    const disposition = (await request("GET", `/api/v1/media/${id}/original`)).headers["content-disposition"];
    // A name, never a folder: the separator is saved as "_", as browsers do.
    expect(savedName(disposition)).toBe("<script>alert(1)<_script>.jpg");
    expect(disposition).toMatch(/^attachment; filename="<script>alert\(1\)<_script>\.jpg"; filename\*=UTF-8''/);
  });
});

describe("too many files in one request", () => {
  it("accepts the first 20 and names each file it refused", { timeout: 60_000 }, async () => {
    const bytes = await makeJpeg({ width: 32, height: 24, seed: 10 });
    const files = Array.from({ length: 25 }, (_, i) => ({ name: `batch-${String(i + 1).padStart(2, "0")}.jpg`, bytes }));
    const sent = await upload(files);
    expect(sent.status).toBe(202);
    expect(sent.json.media.map((m) => m.name)).toEqual(files.slice(0, 20).map((f) => f.name));
    expect(sent.json.rejected.map((r) => r.name)).toEqual(["batch-21.jpg", "batch-22.jpg", "batch-23.jpg", "batch-24.jpg", "batch-25.jpg"]);
    expect(sent.json.rejected[0].error).toBe("batch-21.jpg was not uploaded: send at most 20 files per request.");
  });
});

describe("the Origin check", () => {
  it("compares the scheme too: https://host:port is another origin than http://host:port", async () => {
    const bytes = await makeJpeg({ width: 32, height: 24, seed: 11 });
    const https = await upload([{ name: "https.jpg", bytes }], base.replace("http:", "https:"));
    expect(https.status).toBe(403);
    expect(https.json.error?.message).toMatch(/did not come from a Framecast page/);
    expect((await upload([{ name: "other-port.jpg", bytes }], `http://127.0.0.1:${port + 1}`)).status).toBe(403);
    expect((await upload([{ name: "same.jpg", bytes }], base)).status).toBe(202);
  });
});

describe("live streams (answered by the front, lib/http/front.ts)", () => {
  it("refuse like Next's routes do, with the same headers", async () => {
    const viaNext = await request("GET", "/api/v1/media", { headers: { cookie: "" } });
    const viaFront = await request("GET", "/api/v1/media/stream?ids=00000000-0000-4000-8000-000000000001", { headers: { cookie: "" } });
    expect([viaFront.status, viaNext.status]).toEqual([401, 401]);
    expect(JSON.parse(viaFront.body.toString("utf8"))).toEqual(JSON.parse(viaNext.body.toString("utf8")));
    for (const name of [...Object.keys(COMMON_SECURITY_HEADERS).map((n) => n.toLowerCase()), "content-security-policy", "content-type"]) {
      expect(viaFront.headers[name], name).toBe(viaNext.headers[name]);
    }
    expect(viaFront.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("send the snapshot and end once every photo is finished, with the SSE and security headers", { timeout: 120_000 }, async () => {
    const sent = await upload([{ name: "live.jpg", bytes: await makeJpeg({ width: 64, height: 48, seed: 31 }) }]);
    const id = sent.json.media[0].id;
    await waitFor("the analysis", async () => JSON.parse((await request("GET", `/api/v1/media/${id}`)).body.toString()).status === "done", 90_000, 250);
    // Every photo already finished: the stream sends the snapshot and `end`, and closes.
    const stream = await request("GET", `/api/v1/media/stream?ids=${id}`, { headers: { "last-event-id": "1-0", "x-request-id": "live-front-test" } });
    expect(stream.status).toBe(200);
    expect(stream.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(stream.headers["cache-control"]).toBe("no-cache, no-transform");
    expect(stream.headers["content-security-policy"]).toBe(API_CSP);
    expect(stream.headers["x-content-type-options"]).toBe("nosniff");
    expect(stream.headers["x-request-id"]).toBe("live-front-test");
    const events = [...stream.body.toString("utf8").matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events).toEqual(["media", "end"]);
  });
});

describe("an unknown API address", () => {
  it("answers 404 in the JSON error shape, whatever the method, and real routes still answer", async () => {
    const form = multipart([{ name: "lost.jpg", bytes: await makeJpeg({ width: 32, height: 24, seed: 12 }) }]);
    const cases: [string, string, Record<string, string>?, Buffer?][] = [
      ["GET", "/api/v1/no-such-thing"],
      ["GET", "/api"],
      ["GET", "/api/v1/media/not-a-route/at-all"],
      ["POST", "/api/v1/no-such-thing", { origin: base, "content-type": form.type }, form.body],
      ["PUT", "/api/nothing", { origin: base }],
      ["PATCH", "/api/nothing", { origin: base }],
      ["DELETE", "/api/v2/media", { origin: base }],
      ["OPTIONS", "/api/nothing"],
    ];
    for (const [method, path, headers, body] of cases) {
      const answer = await request(method, path, { headers, body });
      const where = `${method} ${path}`;
      expect(answer.status, where).toBe(404);
      expect(answer.headers["content-type"], where).toMatch(/^application\/json/);
      expect(answer.headers["content-security-policy"], where).toBe(API_CSP);
      expect(JSON.parse(answer.body.toString("utf8")), where).toEqual({ error: { message: `The API address ${path} was not found.`, code: "not_found" } });
    }
    const head = await request("HEAD", "/api/v1/no-such-thing");
    expect([head.status, head.body.length]).toEqual([404, 0]);
    // Not shadowed: static and dynamic routes still answer themselves.
    expect((await request("GET", "/api/health")).status).toBe(200);
    expect((await request("GET", "/api/v1/media", { headers: { cookie: "" } })).status).toBe(401);
    expect((await request("GET", `/api/v1/media/${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}`)).body.toString()).toMatch(/That photo was not found/);
  });
});
