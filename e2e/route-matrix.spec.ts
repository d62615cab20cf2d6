// Walks every route of the running app (pages, API, SSE, downloads) as each kind of caller
// and checks the status the matrix in route-matrix.ts expects. For every entry it also
// checks, without further configuration: someone else's id answers exactly like a missing
// one; /api/v1 routes accept API tokens within their scope; state-changing routes refuse a
// request from another origin; pages carry a CSP nonce on every script, API answers their
// own strict headers.
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { makeSpeech } from "../test/audio";
import { makeJpeg } from "../test/test-images";
import { discoverRoutes, matrixGaps, type AppRoute } from "../test/routes";
import { MATRIX, TUS_CREATE, type BodyName, type FixtureName, type MatrixEntry, type Role } from "./route-matrix";

const BASE = `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;
/** Must match ADMIN_EMAIL in playwright.config.ts (and the password e2e/admin.spec.ts uses). */
const ADMIN_EMAIL = "admin@e2e.example.com";
const ADMIN_PASSWORD = "correct horse battery";
const PASSWORD = "matrix password 123";
const EVIL = "https://evil.example";
const run = randomUUID().slice(0, 8);

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

interface Call {
  /** Hang up once the status and headers are in (endless streams). */
  stream?: boolean;
  cookie?: string;
  bearer?: string;
  body?: () => Promise<{ body: BodyInit; type?: string }>;
  origin?: string;
  headers?: Record<string, string>;
}

async function hit(method: string, url: string, opts: Call = {}): Promise<Answer> {
  const headers = new Headers(opts.headers);
  if (opts.cookie) headers.set("cookie", opts.cookie);
  if (opts.bearer) headers.set("authorization", `Bearer ${opts.bearer}`);
  // What a browser sends with a same-origin fetch.
  if (method !== "GET" && method !== "HEAD") headers.set("origin", opts.origin ?? BASE);
  let body: BodyInit | undefined;
  if (opts.body) {
    const built = await opts.body();
    body = built.body;
    if (built.type) headers.set("content-type", built.type);
  }
  const hangUp = new AbortController();
  const res = await fetch(BASE + url, { method, headers, body, redirect: "manual", signal: hangUp.signal });
  if (opts.stream && res.ok) {
    hangUp.abort();
    return { status: res.status, headers: res.headers, text: "" };
  }
  // Read to the end: an SSE stream of photos ends once every photo it follows is finished.
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const json = (value: unknown) => ({ body: JSON.stringify(value), type: "application/json" });

const credentials: Partial<Record<Role, { email: string; password: string }>> = {
  owner: { email: `owner-${run}@matrix.test`, password: PASSWORD },
  stranger: { email: `stranger-${run}@matrix.test`, password: PASSWORD },
  admin: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
};
const sessions: Partial<Record<Role, string>> = {};
const fixtures = {} as Record<FixtureName, string>;
const missing: Record<FixtureName, string> = {
  photo: randomUUID(),
  "spare-photo": randomUUID(),
  token: randomUUID(),
  vlog: randomUUID(),
  "spare-vlog": randomUUID(),
  export: randomUUID(),
  run: randomUUID(),
  share: "x".repeat(43),
  job: randomUUID(),
  episode: randomUUID(),
  "review-episode": randomUUID(),
  show: randomUUID(),
  feed: "x".repeat(32),
  "feed-file": `${randomUUID()}/g0/episode.mp3`,
  "photo-upload": randomUUID().replaceAll("-", ""),
  "audio-upload": randomUUID().replaceAll("-", ""),
};
const tokens = { readWrite: "", readOnly: "", revoked: "" };
let kinds = new Map<string, AppRoute["kind"]>();
let jpeg: Buffer;
let speech: Buffer;

async function signIn(role: Role): Promise<string> {
  const res = await fetch(`${BASE}/api/auth/signin`, { method: "POST", headers: { origin: BASE, "content-type": "application/json" }, body: JSON.stringify(credentials[role]) });
  expect(res.status, `signing in as ${role}: ${await res.clone().text()}`).toBe(200);
  const body = await res.json();
  if (role === "admin") expect(body.user.isAdmin, `${ADMIN_EMAIL} must be an admin: set ADMIN_EMAIL in playwright.config.ts`).toBe(true);
  return res.headers.get("set-cookie")!.split(";")[0];
}

async function signUpOrIn(role: Role): Promise<string> {
  const res = await hit("POST", "/api/auth/signup", { body: async () => json(credentials[role]) });
  if (res.status === 201) return signIn(role); // (sign-up's own cookie would do; this also checks isAdmin)
  expect(res.status, `signing up as ${role}: ${res.text}`).toBe(409); // the admin exists from an earlier run
  return signIn(role);
}

async function refreshSessions() {
  for (const role of ["stranger", "owner", "admin"] as const) sessions[role] = await signIn(role);
}

const bodies: Record<BodyName, (role: Role) => Promise<{ body: BodyInit; type?: string }>> = {
  photo: async () => {
    const form = new FormData();
    form.append("files", new Blob([new Uint8Array(jpeg)], { type: "image/jpeg" }), "matrix.jpg");
    return { body: form };
  },
  credentials: async (role) => json(credentials[role] ?? { email: `nobody-${run}@matrix.test`, password: PASSWORD }),
  "new-account": async () => json({ email: `new-${randomUUID().slice(0, 8)}@matrix.test`, password: PASSWORD }),
  "new-token": async () => json({ name: "matrix", scopes: ["read"] }),
  "retry-missing-job": async () => json({ queue: "media-analysis", jobId: `analyze-${randomUUID()}` }),
  // The owner's photo: a stranger or admin asking for it gets 404, like a missing photo.
  vlog: async () => json({ mediaIds: [fixtures.photo] }),
  // An edit based on a storyboard version that never existed: refused (409), nothing changes.
  "stale-storyboard": async () => json({ baseVersion: 1_000_000, title: "Never saved" }),
  // A small AI job: summarised on the local path in milliseconds.
  job: async () => json({ type: "summarize", payload: { text: "The route matrix makes a job. It is summarised locally." } }),
  "episode-audio": async () => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(speech)], { type: "audio/mpeg" }), "matrix.mp3");
    return { body: form };
  },
  // Only the feed changes (no new encode), so the episode stays published for the next entries.
  "episode-edit": async () => json({ keywords: ["matrix"] }),
  show: async () => json({ title: "Matrix show", author: "Matrix", ownerName: "Matrix", ownerEmail: "matrix@matrix.test" }),
  "show-edit": async () => json({ description: "Walked by the route matrix." }),
  artwork: async () => ({ body: new Uint8Array(jpeg), type: "image/jpeg" }),
  "artwork-form": async () => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(jpeg)], { type: "image/jpeg" }), "cover.jpg");
    return { body: form };
  },
  "bulk-delete": async () => json({ ids: [randomUUID()] }),
  "unconfirmed-account-delete": async () => json({ confirm: "not yet" }),
};

function urlFor(entry: MatrixEntry, ids: Record<FixtureName, string>): string {
  const template = entry.route.split(" ")[1];
  const path = entry.url ?? template.replace(/\[\[?(?:\.\.\.)?(\w+)\]?\]/g, (_, name: string) => ids[entry.params?.[name] ?? "photo"]);
  return path + (entry.query ?? "").replace(/\{(\w+)\}/g, (_, name: FixtureName) => ids[name]);
}

// Not serial: after a failure Playwright carries on with the next entries (in a fresh
// worker, whose beforeAll makes new fixtures), so one run shows every broken entry.
test.beforeAll(async () => {
  test.setTimeout(300_000); // accounts, a photo analysed by the worker, a vlog, two episodes, tokens
  const routes = discoverRoutes();
  const gaps = matrixGaps(routes, MATRIX);
  expect(gaps, gaps.join("\n\n")).toEqual([]);
  kinds = new Map(routes.map((r) => [`${r.method} ${r.path}`, r.kind]));
  jpeg = await makeJpeg({ width: 320, height: 240, seed: 77 });

  for (const role of ["owner", "stranger", "admin"] as const) sessions[role] = await signUpOrIn(role);
  const uploaded = await hit("POST", "/api/v1/media", { cookie: sessions.owner, body: bodies.photo.bind(null, "owner") });
  expect(uploaded.status, uploaded.text).toBe(202);
  fixtures.photo = JSON.parse(uploaded.text).media[0].id;
  await hit("GET", `/api/v1/media/stream?ids=${fixtures.photo}`, { cookie: sessions.owner }); // returns when analysed
  expect(JSON.parse((await hit("GET", `/api/v1/media/${fixtures.photo}`, { cookie: sessions.owner })).text).status).toBe("done");

  // A finished vlog of that photo (storyboard and render, straight through).
  const made = await hit("POST", "/api/v1/vlogs", { cookie: sessions.owner, body: async () => json({ mediaIds: [fixtures.photo], autoProgress: true }) });
  expect(made.status, made.text).toBe(202);
  fixtures.vlog = JSON.parse(made.text).vlogId;
  await hit("GET", `/api/v1/vlogs/stream?ids=${fixtures.vlog}`, { cookie: sessions.owner }); // returns when completed or failed
  const vlog = JSON.parse((await hit("GET", `/api/v1/vlogs/${fixtures.vlog}`, { cookie: sessions.owner })).text);
  expect(vlog.status, vlog.error).toBe("completed");
  fixtures.run = vlog.runId;
  fixtures.share = vlog.share.url.split("/s/")[1];

  // What the delete entries use up: a spare photo, and a vlog stopped at its storyboard.
  const spare = await hit("POST", "/api/v1/media", { cookie: sessions.owner, body: bodies.photo.bind(null, "owner") });
  expect(spare.status, spare.text).toBe(202);
  fixtures["spare-photo"] = JSON.parse(spare.text).media[0].id;
  const spareVlog = await hit("POST", "/api/v1/vlogs", { cookie: sessions.owner, body: async () => json({ mediaIds: [fixtures.photo], autoProgress: false }) });
  expect(spareVlog.status, spareVlog.text).toBe(202);
  fixtures["spare-vlog"] = JSON.parse(spareVlog.text).vlogId;

  // A finished data export of the owner's.
  const exported = await hit("POST", "/api/account/exports", { cookie: sessions.owner });
  expect(exported.status, exported.text).toBe(202);
  fixtures.export = JSON.parse(exported.text).export.id;
  await hit("GET", `/api/account/exports/stream?ids=${fixtures.export}`, { cookie: sessions.owner }); // returns when ready or failed

  // A completed AI job of the owner's.
  const job = await hit("POST", "/api/v1/jobs", { cookie: sessions.owner, body: bodies.job.bind(null, "owner") });
  expect(job.status, job.text).toBe(202);
  fixtures.job = JSON.parse(job.text).job_id;
  await expect
    .poll(async () => JSON.parse((await hit("GET", `/api/v1/jobs/${fixtures.job}`, { cookie: sessions.owner })).text).status, { timeout: 30_000 })
    .toBe("completed");

  // Podcasts: one episode published, one waiting for review, in the owner's first show.
  speech = await readFile(await makeSpeech("This is the route matrix speaking. Every route is walked by every kind of caller.", { format: "mp3", seconds: 10 }));
  const episodes: string[] = [];
  for (let i = 0; i < 2; i++) {
    const sent = await hit("POST", "/api/v1/episodes", { cookie: sessions.owner, body: bodies["episode-audio"].bind(null, "owner") });
    expect(sent.status, sent.text).toBe(202);
    episodes.push(JSON.parse(sent.text).episodeId);
  }
  await hit("GET", `/api/v1/episodes/stream?ids=${episodes.join(",")}`, { cookie: sessions.owner }); // returns when both wait for review
  [fixtures.episode, fixtures["review-episode"]] = episodes;
  expect((await hit("POST", `/api/v1/episodes/${fixtures.episode}/publish`, { cookie: sessions.owner })).status).toBe(202);
  await hit("GET", `/api/v1/episodes/stream?ids=${fixtures.episode}`, { cookie: sessions.owner }); // returns when published
  const episode = JSON.parse((await hit("GET", `/api/v1/episodes/${fixtures.episode}`, { cookie: sessions.owner })).text);
  expect(episode.status, episode.error).toBe("published");
  fixtures.show = episode.showId;
  const [, feedToken, ...file] = new URL(episode.urls.audio).pathname.split("/").slice(1);
  fixtures.feed = feedToken;
  fixtures["feed-file"] = file.join("/");

  // Unfinished resumable uploads of the owner's (no bytes sent yet).
  for (const [fixture, path] of [["photo-upload", "/api/v1/media/uploads"], ["audio-upload", "/api/v1/episodes/uploads"]] as const) {
    const created = await hit("POST", path, { cookie: sessions.owner, headers: TUS_CREATE });
    expect(created.status, created.text).toBe(201);
    fixtures[fixture] = created.headers.get("location")!.split("/").pop()!;
  }

  const token = async (scopes: string[]) => {
    const res = await hit("POST", "/api/account/tokens", { cookie: sessions.owner, body: async () => json({ name: `matrix ${scopes}`, scopes }) });
    expect(res.status, res.text).toBe(201);
    return JSON.parse(res.text) as { token: string; apiToken: { id: string } };
  };
  fixtures.token = (await token(["read"])).apiToken.id;
  tokens.readWrite = (await token(["read", "write"])).token;
  tokens.readOnly = (await token(["read"])).token;
  const revoked = await token(["read", "write"]);
  tokens.revoked = revoked.token;
  expect((await hit("DELETE", `/api/account/tokens/${revoked.apiToken.id}`, { cookie: sessions.owner })).status).toBe(204);
});

for (const entry of MATRIX) {
  test(entry.route, async () => {
    const [method, template] = entry.route.split(" ");
    const kind = kinds.get(entry.route);
    const url = urlFor(entry, fixtures);
    const body = (role: Role) => (entry.body ? () => bodies[entry.body!](role) : undefined);
    const answers: Partial<Record<Role, Answer>> = {};

    for (const role of ["anonymous", "stranger", "admin", "owner"] as const) {
      const cookie = role === "anonymous" ? undefined : entry.freshSession ? await signIn(role) : sessions[role];
      const answer = await hit(method, url, { cookie, body: body(role), headers: entry.headers, stream: entry.stream });
      answers[role] = answer;
      expect.soft(answer.status, `${entry.route} as ${role} (${url}): ${describe(answer)}`).toBe(entry.expect[role]);
      checkHeaders(entry, kind, answer, role);
    }
    if (entry.freshSession) await refreshSessions();

    // Someone else's id looks exactly like a missing one.
    if (template.includes("[") && entry.expect.stranger === 404) {
      const absent = await hit(method, urlFor(entry, missing), { cookie: sessions.owner, body: body("owner"), headers: entry.headers });
      expect.soft(absent.status, `${entry.route} for a missing id, as the owner`).toBe(404);
      if (kind === "route") expect.soft(absent.text, `${entry.route}: a foreign id must answer like a missing one`).toBe(answers.stranger!.text);
    }

    // /api/v1 takes API tokens, within their scope; a revoked one is refused. A token needs no Origin.
    if (template.startsWith("/api/v1/")) {
      const write = method !== "GET" && method !== "HEAD";
      const rw = await hit(method, url, { bearer: tokens.readWrite, body: body("owner"), origin: EVIL, headers: entry.headers });
      expect.soft(rw.status, `${entry.route} with the owner's read+write token`).toBe(entry.once ? 404 : entry.expect.owner);
      const ro = await hit(method, url, { bearer: tokens.readOnly, body: body("owner"), headers: entry.headers });
      expect.soft(ro.status, `${entry.route} with the owner's read-only token`).toBe(write ? 403 : entry.expect.owner);
      const revoked = await hit(method, url, { bearer: tokens.revoked, body: body("owner"), headers: entry.headers });
      expect.soft(revoked.status, `${entry.route} with a revoked token`).toBe(401);
    }

    // State-changing routes refuse a cookie request from another origin (CSRF). OPTIONS,
    // like GET and HEAD, changes nothing.
    if (method !== "GET" && method !== "HEAD" && method !== "OPTIONS") {
      const cookie = entry.freshSession ? await signIn("owner") : sessions.owner;
      const forged = await hit(method, url, { cookie, body: body("owner"), origin: EVIL, headers: entry.headers });
      expect.soft(forged.status, `${entry.route} from ${EVIL} with the owner's cookie`).toBe(403);
    }
  });
}

/** The start of a text answer, or just its type (a thumbnail's bytes say nothing). */
function describe(answer: Answer): string {
  const type = answer.headers.get("content-type") ?? "";
  return /json|text|html/.test(type) ? answer.text.slice(0, 200) : `(${type}, ${answer.text.length} bytes)`;
}

function checkHeaders(entry: MatrixEntry, kind: AppRoute["kind"] | undefined, answer: Answer, role: Role) {
  const where = `${entry.route} as ${role}`;
  const h = answer.headers;
  expect.soft(h.get("x-content-type-options"), `${where}: nosniff`).toBe("nosniff");
  expect.soft(h.get("x-frame-options"), `${where}: X-Frame-Options`).toBe("DENY");
  expect.soft(h.get("referrer-policy"), `${where}: Referrer-Policy`).toBe("same-origin");
  const csp = h.get("content-security-policy") ?? "";
  if (kind === "page") {
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect.soft(nonce, `${where}: page CSP with a nonce`).toBeTruthy();
    expect.soft(csp, where).toContain("frame-ancestors 'none'");
    expect.soft(csp, where).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    if (answer.status === 200 && nonce) {
      const scripts = answer.text.match(/<script\b[^>]*>/g) ?? [];
      expect.soft(scripts.length, where).toBeGreaterThan(0);
      for (const tag of scripts) expect.soft(tag, `${where}: every script carries the nonce`).toContain(`nonce="${nonce}"`);
    }
  } else if (/^\/(api|feeds)\//.test(entry.route.split(" ")[1])) {
    expect.soft(csp, `${where}: API CSP`).toMatch(/default-src 'none'/);
    // A file (photo, poster, video, audio), GET or HEAD: sandboxed, and its exact length
    // told (Next.js drops a handler's Content-Length; lib/http/content-length.ts).
    if (answer.status === 200 && /^(image|video|audio)\//.test(h.get("content-type") ?? "")) {
      expect.soft(csp, `${where}: a file answer is sandboxed`).toContain("sandbox");
      expect.soft(Number(h.get("content-length")), `${where}: Content-Length`).toBeGreaterThan(0);
    }
  } else {
    expect.soft(csp, `${where}: a CSP of its own`).toMatch(/script-src 'self'(;|$)/);
  }
}
