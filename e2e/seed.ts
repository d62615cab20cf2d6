// One account with something on every page, for the specs that visit every page (phone
// widths, axe-core, screenshots): photos (one broken), a vlog waiting at its storyboard, a
// rendered and shared vlog, a podcast episode ready for review, a finished summarize job.
// The account is the e2e admin, so the admin console has content too. Made through the
// public API once per run (the database lives as long as the run's server); a second call
// finds it and only signs in.
import type { APIRequestContext } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { makeSpeech } from "../test/audio";
import { corruptJpeg, makeJpeg } from "../test/test-images";

export const SEED_USER = { email: "admin@e2e.example.com", password: "correct horse battery" };

export interface Seed {
  photoId: string;
  storyboardVlogId: string;
  renderedVlogId: string;
  shareUrl: string;
  showId: string;
  episodeId: string;
  jobId: string;
}

const STORYBOARD_TITLE = "Harbour day";
const RENDERED_TITLE = "Market walk";

/** Signs `request` in as the seed user (making the account on a fresh database). */
export async function signInSeedUser(request: APIRequestContext, origin: string) {
  const signup = await request.post("/api/auth/signup", { data: SEED_USER, headers: { origin } });
  if (signup.status() === 201) return;
  const signin = await request.post("/api/auth/signin", { data: SEED_USER, headers: { origin } });
  if (signin.status() !== 200) throw new Error(`seed sign-in answered ${signin.status()}: ${await signin.text()}`);
}

async function json<T>(request: APIRequestContext, method: "GET" | "POST", url: string, origin: string, data?: unknown): Promise<T> {
  const res = await request.fetch(url, { method, data, headers: { origin } });
  if (res.status() >= 300) throw new Error(`${method} ${url} answered ${res.status()}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Polls until `done` says yes (the worker finishes the steps); fails naming what it waited for. */
async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`seed: gave up waiting for ${what}: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

type Vlog = { id: string; title: string; status: string; share: { url: string } | null };

export async function seed(request: APIRequestContext, origin: string): Promise<Seed> {
  await signInSeedUser(request, origin);
  const list = () => json<{ media: { id: string; name: string; status: string }[] }>(request, "GET", "/api/v1/media?limit=120", origin);

  // Photos: three analysed, one broken (it fails, so the admin console has a failure to show).
  const names = ["harbour.jpg", "market.jpg", "sunset.jpg"];
  if (!(await list()).media.some((m) => m.name === "harbour.jpg")) {
    const files = await Promise.all(names.map(async (name, i) => ({ name, mimeType: "image/jpeg", buffer: await makeJpeg({ width: 1600, height: 1067, seed: 300 + i * 11, exif: true }) })));
    for (const file of [...files, { name: "broken.jpg", mimeType: "image/jpeg", buffer: await corruptJpeg("truncated") }]) {
      const res = await request.post("/api/v1/media", { headers: { origin }, multipart: { files: file } });
      if (res.status() !== 202) throw new Error(`seed upload of ${file.name} answered ${res.status()}: ${await res.text()}`);
    }
  }
  const media = (await until("the seed photos to be analysed", list, ({ media }) => names.every((n) => media.some((m) => m.name === n && m.status === "done")))).media;
  const photoIds = names.map((n) => media.find((m) => m.name === n && m.status === "done")!.id);

  // Vlogs: one stopped at its storyboard, one rendered straight through and shared.
  const vlogs = async () => (await json<{ vlogs: Vlog[] }>(request, "GET", "/api/v1/vlogs", origin)).vlogs;
  const existing = await vlogs();
  if (!existing.some((v) => v.title === STORYBOARD_TITLE)) {
    await json(request, "POST", "/api/v1/vlogs", origin, { mediaIds: photoIds, title: STORYBOARD_TITLE, style: "upbeat" });
  }
  if (!existing.some((v) => v.title === RENDERED_TITLE)) {
    await json(request, "POST", "/api/v1/vlogs", origin, { mediaIds: [...photoIds].reverse(), title: RENDERED_TITLE, autoProgress: true });
  }

  // A podcast episode on the default show (made on first use), ready for review.
  const { shows } = await json<{ shows: { id: string }[] }>(request, "GET", "/api/v1/shows", origin);
  const showId = shows[0].id;
  const episodes = async () => (await json<{ episodes: { id: string; status: string }[] }>(request, "GET", "/api/v1/episodes", origin)).episodes;
  if ((await episodes()).length === 0) {
    const audio = await readFile(await makeSpeech("Welcome to the harbour show. Today we walk along the quay and talk about boats.", { format: "mp3", seconds: 8 }));
    const res = await request.post("/api/v1/episodes", { headers: { origin }, multipart: { showId, file: { name: "harbour-walk.mp3", mimeType: "audio/mpeg", buffer: audio } } });
    if (res.status() !== 202) throw new Error(`seed episode upload answered ${res.status()}: ${await res.text()}`);
  }

  // A finished summarize job.
  type Job = { job_id: string; status: string };
  let { jobs } = await json<{ jobs: Job[] }>(request, "GET", "/api/v1/jobs?type=summarize", origin);
  if (jobs.length === 0) {
    await json(request, "POST", "/api/v1/jobs", origin, {
      type: "summarize",
      payload: { text: "The harbour warehouses will become a library and a covered market. The council approved the plan on Tuesday. It opens in 2028, and half of the money comes from a regional fund.", length: "short" },
    });
    ({ jobs } = await json<{ jobs: Job[] }>(request, "GET", "/api/v1/jobs?type=summarize", origin));
  }
  const jobId = jobs[0].job_id;

  const episode = (await until("the seed episode to be ready for review", episodes, (list) => list.some((e) => e.status === "ready_for_review" || e.status === "published")))[0];
  await until("the seed job to complete", () => json<Job>(request, "GET", `/api/v1/jobs/${jobId}`, origin), (j) => j.status === "completed");
  const storyboard = (await until("the seed storyboard", vlogs, (all) => all.some((v) => v.title === STORYBOARD_TITLE && v.status === "storyboard_ready"))).find((v) => v.title === STORYBOARD_TITLE)!;
  let rendered = (await until("the seed vlog's video", vlogs, (all) => all.some((v) => v.title === RENDERED_TITLE && v.status === "completed"), 420_000)).find((v) => v.title === RENDERED_TITLE)!;
  if (!rendered.share) rendered = await json<Vlog>(request, "POST", `/api/v1/vlogs/${rendered.id}/share`, origin);

  return {
    photoId: photoIds[0],
    storyboardVlogId: storyboard.id,
    renderedVlogId: rendered.id,
    shareUrl: new URL(rendered.share!.url).pathname,
    showId,
    episodeId: episode.id,
    jobId,
  };
}

/** Every page of the app with content, by name (the name a failing test reports). */
export function pagesOf(s: Seed): { name: string; path: string; signedIn: boolean }[] {
  return [
    { name: "sign-in", path: "/signin", signedIn: false },
    { name: "sign-up", path: "/signup", signedIn: false },
    { name: "shared vlog (public)", path: s.shareUrl, signedIn: false },
    { name: "library", path: "/", signedIn: true },
    { name: "photo", path: `/media/${s.photoId}`, signedIn: true },
    { name: "vlogs", path: "/vlogs", signedIn: true },
    { name: "vlog storyboard editor", path: `/vlogs/${s.storyboardVlogId}`, signedIn: true },
    { name: "vlog player", path: `/vlogs/${s.renderedVlogId}`, signedIn: true },
    { name: "podcasts", path: "/podcasts", signedIn: true },
    { name: "show", path: `/podcasts/shows/${s.showId}`, signedIn: true },
    { name: "episode", path: `/podcasts/episodes/${s.episodeId}`, signedIn: true },
    { name: "jobs", path: "/jobs", signedIn: true },
    { name: "job", path: `/jobs/${s.jobId}`, signedIn: true },
    { name: "settings", path: "/settings", signedIn: true },
    { name: "API tokens", path: "/settings/tokens", signedIn: true },
    { name: "admin overview", path: "/admin", signedIn: true },
    { name: "not found", path: "/media/00000000-0000-4000-8000-000000000000", signedIn: true },
  ];
}
