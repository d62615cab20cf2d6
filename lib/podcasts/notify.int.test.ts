// Notifications of a show that publishes by itself, against stand-ins on 127.0.0.1 for
// Discord and for the show's own webhook receiver, with the real worker: the embed Discord
// gets, a 429's retry_after waited out, a dead Discord webhook recorded on the episode
// without failing the publication, the webhook's signature checked by the independent
// `standardwebhooks` package, and a failed run reported with its step and reason.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile } from "node:fs/promises";
import type { Redis } from "ioredis";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as getEpisode } from "@/app/api/v1/episodes/[id]/route";
import { POST as createEpisodes } from "@/app/api/v1/episodes/route";
import { GET as episodeStream } from "@/app/api/v1/episodes/stream/route";
import { PATCH as patchShow } from "@/app/api/v1/shows/[id]/route";
import { GET as listShows } from "@/app/api/v1/shows/route";
import { db } from "@/lib/db";
import { createRedis } from "@/lib/redis";
import { makeSpeech } from "@/test/audio";
import { call, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import type { DiscordMessage } from "./discord";
import type { EpisodeDetail, EpisodeView, ShowView } from "./view";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let alice: string;
let server: Server;
let base: string;
let discordCalls: Received[] = [];
let hookCalls: Received[] = [];
let discordAnswers: ((res: ServerResponse) => void)[] = [];
let hookAnswer: (res: ServerResponse) => void;
let show: ShowView;
let secret: string;

const answer = (status: number, body?: unknown) => (res: ServerResponse) =>
  body === undefined ? res.writeHead(status).end() : res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (raw += c));
    req.on("end", () => {
      const got = { path: req.url!, headers: req.headers, body: raw, at: Date.now() };
      if (req.url!.startsWith("/api/webhooks/")) {
        discordCalls.push(got);
        (discordAnswers.shift() ?? answer(204))(res);
      } else {
        hookCalls.push(got);
        hookAnswer(res);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  iso = await isolate({ APP_URL: "http://notify.test" });
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), { concurrency: 2, log: () => {} });
  alice = await signUp("alice@example.com");

  show = (await (await call(listShows, { path: "/api/v1/shows", cookie: alice })).json()).shows[0];
  const res = await call(patchShow, {
    path: `/api/v1/shows/${show.id}`,
    method: "PATCH",
    cookie: alice,
    params: { id: show.id },
    body: JSON.stringify({ title: "Tea & Trains 🚂", autoPublish: true, webhookUrl: `${base}/hooks/framecast?key=k1` }),
    headers: { "content-type": "application/json" },
  });
  expect(res.status).toBe(200);
  const edited = await res.json();
  // The signing secret is shown once, in the answer that set the webhook.
  expect(edited.webhookSecret).toMatch(/^whsec_/);
  secret = edited.webhookSecret;
  // The settings only take discord.com URLs; the stand-in lives on 127.0.0.1.
  await db().show.update({ where: { id: show.id }, data: { discordWebhookUrl: `${base}/api/webhooks/123456/secret-token` } });
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

beforeEach(() => {
  discordCalls = [];
  hookCalls = [];
  discordAnswers = [];
  hookAnswer = answer(200, { ok: true });
});

async function uploadOne(name: string, bytes: Buffer): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(bytes)], { type: "audio/mpeg" }), name);
  const res = await call(createEpisodes, { path: "/api/v1/episodes", method: "POST", cookie: alice, body: form });
  expect(res.status).toBe(202);
  return (await res.json()).episodeId;
}

async function finish(id: string): Promise<EpisodeView> {
  const res = await call(episodeStream, { path: `/api/v1/episodes/stream?ids=${id}`, cookie: alice });
  const messages = await readSse(res);
  return messages.filter((m) => m.event === "episode").at(-1)!.data as EpisodeView;
}

async function detail(id: string): Promise<EpisodeDetail> {
  return (await call(getEpisode, { path: `/api/v1/episodes/${id}`, cookie: alice, params: { id } })).json();
}

const verify = (r: Received) =>
  new Webhook(secret).verify(r.body, { "webhook-id": String(r.headers["webhook-id"]), "webhook-timestamp": String(r.headers["webhook-timestamp"]), "webhook-signature": String(r.headers["webhook-signature"]) }) as {
    type: string;
    data: { episode: { id: string; title: string; audioUrl: string | null }; show: { title: string }; failure?: { step: string; stepLabel: string; error: string } };
  };

describe("podcast notifications", () => {
  it("posts the new episode to Discord (waiting out a 429) and a signed event to the show's webhook", { timeout: 180_000 }, async () => {
    discordAnswers = [answer(429, { message: "You are being rate limited.", retry_after: 1.5, global: false }), answer(204)];
    const speech = await makeSpeech("Good morning and welcome to tea and trains. The kettle is on and the train is late.", { format: "mp3", seconds: 11 });
    const id = await uploadOne("tea-time.mp3", await readFile(speech));
    const final = await finish(id);
    expect(final.status).toBe("published");
    expect(final.notifyError).toBeNull();

    // Asked to wait 1.5 s, it waited, then posted once more.
    expect(discordCalls).toHaveLength(2);
    expect(discordCalls[1].at - discordCalls[0].at).toBeGreaterThanOrEqual(1_400);
    const message = JSON.parse(discordCalls[1].body) as DiscordMessage;
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(message.embeds).toHaveLength(1);
    const embed = message.embeds[0];
    expect(embed).toMatchObject({ title: "Tea time", author: { name: "Tea & Trains 🚂" }, url: expect.stringMatching(/^http:\/\/notify\.test\/feeds\/.+\/episode\.mp3$/) });
    expect(embed.fields).toEqual([{ name: "Duration", value: expect.stringMatching(/^0:1\d$/), inline: true }]);

    expect(hookCalls).toHaveLength(1);
    expect(hookCalls[0].path).toBe("/hooks/framecast?key=k1");
    const event = verify(hookCalls[0]);
    expect(event.type).toBe("episode.published");
    expect(event.data.episode).toMatchObject({ id, title: "Tea time", audioUrl: embed.url });
    expect(event.data.show.title).toBe("Tea & Trains 🚂");
    // A forged body does not verify.
    expect(() => verify({ ...hookCalls[0], body: hookCalls[0].body.replace("Tea time", "Tea tome") })).toThrow();
  });

  it("records a dead Discord webhook on the episode and publishes anyway", { timeout: 180_000 }, async () => {
    discordAnswers = [answer(404, { message: "Unknown Webhook", code: 10015 })];
    const speech = await makeSpeech("The second episode is about the last train home and what we saw from the window.", { format: "mp3", seconds: 11 });
    const id = await uploadOne("last-train.mp3", await readFile(speech));
    const final = await finish(id);
    expect(final.status).toBe("published");
    expect(final.inFeed).toBe(true);
    expect(final.notifyError).toMatch(/Discord webhook no longer works \(Discord says: Unknown Webhook\)/);
    // The secret in the webhook URL never reaches a message.
    expect(final.notifyError).not.toContain("secret-token");
    expect(discordCalls).toHaveLength(1);
    // The show's own webhook still got its event.
    expect(verify(hookCalls[0]).type).toBe("episode.published");
    expect((await detail(id)).steps.every((s) => s.status === "succeeded")).toBe(true);
  });

  it("reports a failed run to Discord and the webhook: which step, and why", { timeout: 120_000 }, async () => {
    // Looks like an MP3 (an ID3 tag) but holds no audio at all.
    const fake = Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 10]), Buffer.alloc(10), Buffer.from("no audio frames here ".repeat(500))]);
    const id = await uploadOne("broken.mp3", fake);
    const final = await finish(id);
    expect(final.status).toBe("failed");
    expect(final.error).toMatch(/^Analyse → Reading the audio failed: /);
    const probe = (await detail(id)).steps.find((s) => s.step === "probe")!;
    // Bad input fails at once: no retries.
    expect(probe).toMatchObject({ status: "failed", attempts: 1 });

    await expect.poll(() => discordCalls.length + hookCalls.length, { timeout: 30_000 }).toBe(2);
    const embed = (JSON.parse(discordCalls[0].body) as DiscordMessage).embeds[0];
    expect(embed.title).toBe("Publishing failed: broken.mp3");
    expect(embed.fields).toEqual([{ name: "Step", value: "Reading the audio", inline: true }]);
    expect(embed.description).toContain(probe.error!);
    expect(embed.url).toBe(`http://notify.test/episodes/${id}`);
    const event = verify(hookCalls[0]);
    expect(event.type).toBe("episode.failed");
    expect(event.data.failure).toMatchObject({ step: "probe", stepLabel: "Reading the audio", error: probe.error });
  });
});
