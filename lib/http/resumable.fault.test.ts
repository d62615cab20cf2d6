// Fault: the connection drops in the middle of a big upload. The real web process (`next
// start`, built for real) sits behind a TCP proxy on loopback that cuts the connection at
// 40 % of the file; the real tus client (tus-js-client, as the pages use it) asks where to
// go on from and sends only the rest. The stored photo and recording are byte-for-byte the
// files sent, and made once.
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { Upload } from "tus-js-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeTone } from "@/test/audio";
import { startCuttingProxy, type CuttingProxy } from "@/test/cutting-proxy";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { ensureNextBuild, startNext } from "@/test/next-app";
import { bounded, freePort, waitFor, type Child } from "@/test/processes";

let iso: IsolatedEnv;
let port: number;
let server: Child;
let proxy: CuttingProxy;
let cookie: string;

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

function request(method: string, pathname: string, opts: { headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: pathname, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

interface Sent {
  url: string;
  /** Where the client went on from after the cut (the server's offset). */
  resumedAt: number;
  /** Progress reported after the cut, in order. */
  progressAfterCut: number[];
  /** Client → server bytes through the proxy for the whole upload. */
  wire: number;
  cutAt: number;
}

/** Sends `file` with tus-js-client through the proxy, which cuts the connection at 40 %. */
async function sendWithCut(endpoint: string, file: Buffer, metadata: Record<string, string>): Promise<Sent> {
  const before = proxy.forwarded;
  let cutAt = -1;
  const progressAfterCut: number[] = [];
  const offsets: number[] = [];
  let armed = false;
  const url = await new Promise<string>((resolve, reject) => {
    const upload = new Upload(file, {
      endpoint: `http://127.0.0.1:${proxy.port}${endpoint}`,
      metadata,
      // Cookie sessions need the Origin a browser sends (the CSRF check).
      headers: { cookie, origin: `http://127.0.0.1:${port}` },
      retryDelays: [0, 250, 500, 1000, 2000],
      onUploadUrlAvailable: () => {
        if (armed) return;
        armed = true;
        // Arm once the upload exists: 40 % of the file into the first PATCH, the line drops.
        void proxy.cutAfter(Math.floor(file.length * 0.4)).then(({ at }) => (cutAt = at - before));
      },
      onAfterResponse: (req, res) => {
        if (req.getMethod() === "HEAD" && cutAt >= 0) offsets.push(Number(res.getHeader("Upload-Offset")));
      },
      onProgress: (sent) => {
        if (cutAt >= 0 && offsets.length > 0) progressAfterCut.push(sent);
      },
      onSuccess: () => resolve(upload.url!),
      onError: reject,
    });
    upload.start();
  });
  return { url, resumedAt: offsets[0] ?? -1, progressAfterCut, wire: proxy.forwarded - before, cutAt };
}

async function outcome(url: string) {
  return waitFor("the upload's outcome", async () => {
    const res = await request("GET", new URL(url).pathname, { headers: { cookie } });
    const body = JSON.parse(res.body.toString());
    return body.state === "done" || body.state === "refused" ? body : null;
  });
}

beforeAll(async () => {
  const build = ensureNextBuild();
  if (build.built) console.log(`[fault:resumable] built the app in ${build.ms} ms`);
  iso = await isolate();
  port = await freePort(3300, 3349);
  server = await startNext(port, {
    DATABASE_URL: process.env.DATABASE_URL!,
    DATABASE_SCHEMA: iso.schema,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    QUEUE_PREFIX: iso.prefix,
    DATA_DIR: iso.dataDir,
    APP_URL: `http://127.0.0.1:${port}`,
  }, "next-resumable");
  proxy = await startCuttingProxy(port);
  const signup = await request("POST", "/api/auth/signup", {
    headers: { "content-type": "application/json", origin: `http://127.0.0.1:${port}` },
    body: JSON.stringify({ email: "hotel-wifi@example.com", password: "a long enough password" }),
  });
  expect(signup.status).toBe(201);
  cookie = String(signup.headers["set-cookie"]).split(";")[0];
}, 600_000);

afterAll(async () => {
  await proxy?.close();
  server?.kill("SIGKILL");
  await bounded("the web process exits", server?.exited);
  await db().$disconnect();
  await iso?.teardown();
}, 60_000);

describe("a connection cut at 40 % of a big upload", () => {
  it("goes on from the server's offset and stores the photo byte for byte, once", { timeout: 180_000 }, async () => {
    // A 24-megapixel photo of noise: ~17 MB of PNG that does not compress.
    const [width, height] = [2400, 2400];
    const png = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    const sent = await sendWithCut("/api/v1/media/uploads", png, { filename: "balcony.png", filetype: "image/png" });

    // It went on from where the server was — not from zero — and the bar never went back below it.
    expect(sent.cutAt).toBeGreaterThan(0);
    expect(sent.resumedAt).toBeGreaterThan(png.length * 0.3);
    expect(sent.resumedAt).toBeLessThanOrEqual(png.length * 0.4);
    expect(Math.min(...sent.progressAfterCut)).toBeGreaterThanOrEqual(sent.resumedAt);
    // Nothing sent twice beyond the bytes that were in flight when the line dropped
    // (plus a few kB of request headers).
    expect(sent.wire).toBeLessThan(png.length + (sent.cutAt - sent.resumedAt) + 16 * 1024);

    const done = await outcome(sent.url);
    expect(done.state).toBe("done");
    const media = done.result.media[0];
    const original = await request("GET", `/api/v1/media/${media.id}/original`, { headers: { cookie } });
    expect(original.status).toBe(200);
    expect(sha(original.body)).toBe(sha(png));
    expect(await db().media.count({ where: { originalName: "balcony.png" } })).toBe(1);
  });

  it("goes on from the server's offset and stores the recording byte for byte, once", { timeout: 180_000 }, async () => {
    // Ten minutes of 48 kHz tone: ~55 MB of WAV.
    const wav = await readFile(await makeTone(600, { format: "wav", sampleRate: 48000 }));
    const sent = await sendWithCut("/api/v1/episodes/uploads", wav, { filename: "long-interview.wav", filetype: "audio/wav" });
    expect(sent.resumedAt).toBeGreaterThan(wav.length * 0.3);
    expect(sent.resumedAt).toBeLessThanOrEqual(wav.length * 0.4);
    expect(Math.min(...sent.progressAfterCut)).toBeGreaterThanOrEqual(sent.resumedAt);
    expect(sent.wire).toBeLessThan(wav.length + (sent.cutAt - sent.resumedAt) + 16 * 1024);

    const done = await outcome(sent.url);
    expect(done.state).toBe("done");
    const episode = await db().episode.findUniqueOrThrow({ where: { id: done.result.episodeId } });
    expect(episode.sourceSha256).toBe(sha(wav));
    const audio = await request("GET", `/api/v1/episodes/${episode.id}/audio`, { headers: { cookie } });
    expect(audio.status).toBe(200);
    expect(sha(audio.body)).toBe(sha(wav));
    expect(await db().episode.count({ where: { originalName: "long-interview.wav" } })).toBe(1);
  });
});
