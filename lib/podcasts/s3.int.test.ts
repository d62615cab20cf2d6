// Episodes on S3-compatible storage (s3rver in-process on 127.0.0.1) with listeners served
// from PUBLIC_MEDIA_BASE_URL: the seed's trigger — an object already in the bucket,
// announced by key (at least once, so the same key and ETag twice make one episode) — then
// the store step's objects with their Content-Type and Cache-Control, and a feed whose
// URLs point at the public domain. Also what is refused, and a recording over the length
// limit failing at once with the sentence a person reads.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Redis } from "ioredis";
import { parseFeed } from "podcast-partytime";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as publish } from "@/app/api/v1/episodes/[id]/publish/route";
import { GET as getEpisode } from "@/app/api/v1/episodes/[id]/route";
import { POST as createEpisodes } from "@/app/api/v1/episodes/route";
import { GET as episodeStream } from "@/app/api/v1/episodes/stream/route";
import { GET as listShows } from "@/app/api/v1/shows/route";
import { GET as feedRoute } from "@/app/feeds/[token]/route";
import { db } from "@/lib/db";
import { createRedis } from "@/lib/redis";
import { storage } from "@/lib/storage/instance";
import { makeSilence, makeSpeech } from "@/test/audio";
import { call, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import type { EpisodeDetail, EpisodeView, ShowView } from "./view";

const BUCKET = "podcasts-test";
const PUBLIC = "https://media.example.test";

let iso: IsolatedEnv;
let s3dir: string;
let s3: S3rver;
let client: S3Client;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let alice: string;
let aliceId: string;

beforeAll(async () => {
  s3dir = await mkdtemp(path.join(os.tmpdir(), "framecast-podcast-s3-"));
  await mkdir(path.join(s3dir, "data"));
  s3 = new S3rver({ address: "127.0.0.1", port: 0, directory: path.join(s3dir, "data"), silent: true, configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3.run();
  const endpoint = `http://127.0.0.1:${port}`;
  iso = await isolate({
    APP_URL: "http://app.test",
    STORAGE_DRIVER: "s3",
    S3_ENDPOINT: endpoint,
    S3_REGION: "us-east-1",
    S3_BUCKET: BUCKET,
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
    S3_FORCE_PATH_STYLE: "true",
    PUBLIC_MEDIA_BASE_URL: PUBLIC,
    PODCAST_MAX_MINUTES: "1",
  });
  client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), { concurrency: 2, log: () => {} });
  alice = await signUp("alice@example.com");
  aliceId = (await db().user.findUniqueOrThrow({ where: { email: "alice@example.com" } })).id;
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
  await s3?.close();
  client?.destroy();
  if (s3dir) await rm(s3dir, { recursive: true, force: true });
});

async function announce(storageKey: string, cookie = alice) {
  const res = await call(createEpisodes, { path: "/api/v1/episodes", method: "POST", cookie, body: JSON.stringify({ storageKey }), headers: { "content-type": "application/json" } });
  return { status: res.status, body: await res.json() };
}

async function finish(id: string): Promise<EpisodeView> {
  const messages = await readSse(await call(episodeStream, { path: `/api/v1/episodes/stream?ids=${id}`, cookie: alice }));
  return messages.filter((m) => m.event === "episode").at(-1)!.data as EpisodeView;
}

describe("episodes on S3, announced by storage key", () => {
  let id: string;

  it("makes one episode of an object announced twice (same key and ETag)", { timeout: 120_000 }, async () => {
    const speech = await makeSpeech("Hello from the bucket. This episode arrived by a storage event, twice.", { format: "mp3", seconds: 11 });
    const key = `incoming/${aliceId}/2026-03-01 episode.mp3`;
    await storage().putBuffer(key, await readFile(speech), "audio/mpeg");

    const first = await announce(key);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ episodeId: expect.any(String), status: "processing", duplicate: false });
    const again = await announce(key);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ episodeId: first.body.episodeId, duplicate: true });
    expect(await db().episode.count()).toBe(1);
    id = first.body.episodeId;

    expect((await finish(id)).status).toBe("ready_for_review");
    const ep: EpisodeDetail = await (await call(getEpisode, { path: `/api/v1/episodes/${id}`, cookie: alice, params: { id } })).json();
    expect(ep).toMatchObject({ title: "2026 03 01 episode", originalName: "2026-03-01 episode.mp3" });

    // The same key with new bytes (a new ETag) is a new recording.
    const other = await makeSpeech("A different recording under the same name.", { format: "mp3", seconds: 10 });
    await storage().putBuffer(key, await readFile(other), "audio/mpeg");
    const replaced = await announce(key);
    expect(replaced.status).toBe(202);
    expect(replaced.body.episodeId).not.toBe(id);
    expect((await finish(replaced.body.episodeId)).status).toBe("ready_for_review");
  });

  it("refuses keys outside the caller's folder, missing objects and objects that are not audio", async () => {
    const outside = await announce(`incoming/someone-else/x.mp3`);
    expect(outside.status).toBe(422);
    expect(outside.body.error.fields.storageKey).toContain(`incoming/${aliceId}/`);
    expect((await announce(`incoming/${aliceId}/../originals/x`)).status).toBe(422);
    expect((await announce(`incoming/${aliceId}/missing.mp3`)).status).toBe(404);
    await storage().putBuffer(`incoming/${aliceId}/notes.mp3`, Buffer.from("%PDF-1.7\n" + "x".repeat(200)), "audio/mpeg");
    const pdf = await announce(`incoming/${aliceId}/notes.mp3`);
    expect(pdf.status).toBe(415);
    expect(pdf.body.error.message).toMatch(/looks like a PDF/);
  });

  it("stores the published files on S3 with their types and cache headers; the feed points at PUBLIC_MEDIA_BASE_URL", { timeout: 180_000 }, async () => {
    expect((await call(publish, { path: `/api/v1/episodes/${id}/publish`, method: "POST", cookie: alice, params: { id } })).status).toBe(202);
    expect((await finish(id)).status).toBe("published");
    const row = await db().episode.findUniqueOrThrow({ where: { id } });
    const show: ShowView = (await (await call(listShows, { path: "/api/v1/shows", cookie: alice })).json()).shows[0];
    expect(row.audioKey).toBe(`podcasts/${show.id}/${id}/g0/episode.mp3`);

    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: row.audioKey! }));
    expect(head).toMatchObject({ ContentType: "audio/mpeg", CacheControl: "public, max-age=31536000, immutable", ContentLength: Number(row.audioBytes) });
    const files = row.files as Record<string, string>;
    const metadata = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: files.metadata }));
    expect(metadata.ContentType).toBe("application/json; charset=utf-8");
    expect(JSON.parse((await storage().getBuffer(files.metadata)).toString("utf8"))).toMatchObject({ source: { file_name: "2026-03-01 episode.mp3" } });

    const token = show.feedUrl.split("/").pop()!;
    const res = await call(feedRoute, { path: `/feeds/${token}`, params: { token } });
    expect(res.status).toBe(200);
    const item = parseFeed(await res.text())!.items[0];
    expect(item.enclosure.url).toBe(`${PUBLIC}/podcasts/${show.id}/${id}/g0/episode.mp3`);
    expect(item.enclosure.length).toBe(Number(row.audioBytes));
  });

  it("fails a recording over the length limit at once, with the sentence a person reads", { timeout: 120_000 }, async () => {
    const long = await makeSilence(65, { format: "mp3" });
    await storage().putBuffer(`incoming/${aliceId}/long.mp3`, await readFile(long), "audio/mpeg");
    const sent = await announce(`incoming/${aliceId}/long.mp3`);
    expect(sent.status).toBe(202);
    const final = await finish(sent.body.episodeId);
    expect(final.status).toBe("failed");
    expect(final.error).toBe("Analyse → Reading the audio failed: This recording is 1 min 5 s; the limit is 1 minutes.");
    expect(final.steps.find((s) => s.step === "probe")).toMatchObject({ status: "failed", attempts: 1 });
  });
});
