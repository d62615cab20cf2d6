// The authorisation matrix: every route in app/ (pages, API, SSE, downloads) and the HTTP
// status each kind of caller must get. e2e/route-matrix.spec.ts calls each one for real
// against the running app; lib/security/route-matrix.test.ts fails as soon as a route
// exists without a line here (the route list is read from the app/ tree).
//
// Callers:
//   anonymous  not signed in
//   stranger   signed in, owns nothing the route points at
//   owner      signed in, owns the fixtures ([id] = the owner's photo unless `params` says otherwise)
//   admin      an administrator (ADMIN_EMAIL) who is not the owner: admins see no one's photos
//              in the library (the operations console shows them failed-job previews)
// Someone else's id must answer exactly like a missing one (404); the runner checks that too,
// and that /api/v1 routes take API tokens, and that state-changing routes refuse other origins.

export type Role = "anonymous" | "stranger" | "owner" | "admin";

/** Things the runner creates before calling routes (see fixtures in route-matrix.spec.ts). */
export type FixtureName =
  | "photo"
  | "token"
  | "vlog"
  | "run"
  | "share"
  | "job"
  | "episode"
  | "review-episode"
  | "show"
  | "feed"
  | "feed-file"
  | "photo-upload"
  | "audio-upload"
  | "spare-photo"
  | "spare-vlog"
  | "export";

/** Request bodies the runner knows how to build (see bodies in route-matrix.spec.ts). */
export type BodyName =
  | "photo"
  | "credentials"
  | "new-account"
  | "new-token"
  | "retry-missing-job"
  | "vlog"
  | "stale-storyboard"
  | "job"
  | "episode-audio"
  | "episode-edit"
  | "show"
  | "show-edit"
  | "artwork"
  | "artwork-form"
  | "bulk-delete"
  | "unconfirmed-account-delete";

export interface MatrixEntry {
  /** "METHOD /path/[param]", exactly as derived from the app/ tree. */
  route: string;
  expect: Record<Role, number>;
  /** Fixture for each [param]; default { id: "photo" }. */
  params?: Record<string, FixtureName>;
  /** Appended to the URL; {fixture} placeholders are filled in, e.g. "?ids={photo}". */
  query?: string;
  body?: BodyName;
  /** The route ends sessions: call it with a throw-away session, not the role's own. */
  freshSession?: boolean;
  /** Concrete URL when the template has no [params] to fill (catch-alls): "/admin/queues". */
  url?: string;
  /** An endless stream (SSE that does not end by itself): check the status, then hang up. */
  stream?: boolean;
  headers?: Record<string, string>;
  /** The owner's call uses the fixture up (a delete): repeating it with the owner's token answers 404. */
  once?: boolean;
}

/** Headers of the tus protocol (resumable uploads): every request, creation, an empty PATCH at offset 0. */
const TUS = { "tus-resumable": "1.0.0" };
export const TUS_CREATE = { ...TUS, "upload-length": "1000", "upload-metadata": `filename ${btoa("matrix.png")}` };
const TUS_PATCH = { ...TUS, "upload-offset": "0", "content-type": "application/offset+octet-stream" };

export const MATRIX: MatrixEntry[] = [
  // Pages: anonymous visitors are sent to /signin (307); someone else's photo is "Not found".
  { route: "GET /", expect: { anonymous: 307, stranger: 200, owner: 200, admin: 200 } },
  { route: "GET /signin", expect: { anonymous: 200, stranger: 307, owner: 307, admin: 307 } },
  { route: "GET /signup", expect: { anonymous: 200, stranger: 307, owner: 307, admin: 307 } },
  { route: "GET /media/[id]", expect: { anonymous: 307, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /settings", expect: { anonymous: 307, stranger: 200, owner: 200, admin: 200 } },
  { route: "GET /settings/tokens", expect: { anonymous: 307, stranger: 200, owner: 200, admin: 200 } },
  // The Jobs pages; [id] is the owner's completed AI job (the job fixture).
  { route: "GET /jobs", expect: { anonymous: 307, stranger: 200, owner: 200, admin: 200 } },
  { route: "GET /jobs/[id]", params: { id: "job" }, expect: { anonymous: 307, stranger: 404, owner: 200, admin: 404 } },

  // Accounts and sessions.
  { route: "POST /api/auth/signup", body: "new-account", freshSession: true, expect: { anonymous: 201, stranger: 201, owner: 201, admin: 201 } },
  { route: "POST /api/auth/signin", body: "credentials", freshSession: true, expect: { anonymous: 401, stranger: 200, owner: 200, admin: 200 } },
  { route: "POST /api/auth/signout", freshSession: true, expect: { anonymous: 204, stranger: 204, owner: 204, admin: 204 } },
  { route: "DELETE /api/account/sessions", freshSession: true, expect: { anonymous: 401, stranger: 204, owner: 204, admin: 204 } },
  { route: "POST /api/account/tokens", body: "new-token", expect: { anonymous: 401, stranger: 201, owner: 201, admin: 201 } },
  { route: "DELETE /api/account/tokens/[id]", params: { id: "token" }, expect: { anonymous: 401, stranger: 404, owner: 204, admin: 404 } },
  // Your data: deleting the account needs the typed phrase, which this body lacks (422: nobody
  // is deleted); exports are the owner's own ("export" is ready, made in beforeAll).
  { route: "DELETE /api/account", body: "unconfirmed-account-delete", expect: { anonymous: 401, stranger: 422, owner: 422, admin: 422 } },
  { route: "GET /api/account/exports", expect: { anonymous: 401, stranger: 200, owner: 200, admin: 200 } },
  { route: "POST /api/account/exports", expect: { anonymous: 401, stranger: 202, owner: 202, admin: 202 } },
  { route: "GET /api/account/exports/stream", query: "?ids={export}", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /api/account/exports/[id]/download", params: { id: "export" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },

  // Photos: API, live progress (SSE) and file downloads.
  { route: "GET /api/v1/media", expect: { anonymous: 401, stranger: 200, owner: 200, admin: 200 } },
  { route: "POST /api/v1/media", body: "photo", expect: { anonymous: 401, stranger: 202, owner: 202, admin: 202 } },
  { route: "GET /api/v1/media/search", query: "?q=dog", expect: { anonymous: 401, stranger: 200, owner: 200, admin: 200 } },
  { route: "GET /api/v1/media/[id]", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "POST /api/v1/media/[id]/retry", expect: { anonymous: 401, stranger: 404, owner: 409, admin: 404 } },
  { route: "GET /api/v1/media/[id]/thumbnail", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "HEAD /api/v1/media/[id]/thumbnail", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /api/v1/media/[id]/original", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "HEAD /api/v1/media/[id]/original", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /api/v1/media/stream", query: "?ids={photo}", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  // Resumable uploads (tus). "photo-upload" is the owner's unfinished upload: an empty PATCH
  // at offset 0 changes nothing (204, again and again); DELETE gives it up, so it comes last.
  { route: "POST /api/v1/media/uploads", headers: TUS_CREATE, expect: { anonymous: 401, stranger: 201, owner: 201, admin: 201 } },
  { route: "GET /api/v1/media/uploads/[uploadId]", params: { uploadId: "photo-upload" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "HEAD /api/v1/media/uploads/[uploadId]", params: { uploadId: "photo-upload" }, headers: TUS, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "PATCH /api/v1/media/uploads/[uploadId]", params: { uploadId: "photo-upload" }, headers: TUS_PATCH, expect: { anonymous: 401, stranger: 404, owner: 204, admin: 404 } },
  { route: "DELETE /api/v1/media/uploads/[uploadId]", params: { uploadId: "photo-upload" }, headers: TUS, once: true, expect: { anonymous: 401, stranger: 404, owner: 204, admin: 404 } },
  // Deleting: a spare photo (the others need "photo"); the bulk form names a photo nobody has,
  // so it answers which ids were not found without deleting anything.
  { route: "DELETE /api/v1/media/[id]", params: { id: "spare-photo" }, once: true, expect: { anonymous: 401, stranger: 404, owner: 204, admin: 404 } },
  { route: "POST /api/v1/media/delete", body: "bulk-delete", expect: { anonymous: 401, stranger: 200, owner: 200, admin: 200 } },

  // Vlogs. The fixture is the owner's finished vlog (rendered in beforeAll), so proceed and
  // resume have nothing to do (409), and the storyboard edit is refused as stale (409)
  // without changing it. The share link routes are public: the token is the permission.
  { route: "GET /vlogs", expect: { anonymous: 307, stranger: 200, owner: 200, admin: 200 } },
  { route: "GET /vlogs/[id]", params: { id: "vlog" }, expect: { anonymous: 307, stranger: 404, owner: 200, admin: 404 } },
  // Podcast pages (the owner's first show and an episode of it).
  { route: "GET /podcasts", expect: { anonymous: 307, stranger: 200, owner: 200, admin: 200 } },
  { route: "GET /podcasts/shows/[id]", params: { id: "show" }, expect: { anonymous: 307, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /podcasts/episodes/[id]", params: { id: "episode" }, expect: { anonymous: 307, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /api/v1/vlogs", expect: { anonymous: 401, stranger: 200, owner: 200, admin: 200 } },
  { route: "POST /api/v1/vlogs", body: "vlog", expect: { anonymous: 401, stranger: 404, owner: 202, admin: 404 } },
  { route: "GET /api/v1/vlogs/[id]", params: { id: "vlog" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /api/v1/vlogs/[id]/progress", params: { id: "vlog" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "POST /api/v1/vlogs/[id]/proceed", params: { id: "vlog" }, expect: { anonymous: 401, stranger: 404, owner: 409, admin: 404 } },
  { route: "POST /api/v1/vlogs/[id]/resume", params: { id: "vlog" }, expect: { anonymous: 401, stranger: 404, owner: 409, admin: 404 } },
  { route: "PATCH /api/v1/vlogs/[id]/storyboard", params: { id: "vlog" }, body: "stale-storyboard", expect: { anonymous: 401, stranger: 404, owner: 409, admin: 404 } },
  { route: "GET /api/v1/vlogs/[id]/video", params: { id: "vlog" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "HEAD /api/v1/vlogs/[id]/video", params: { id: "vlog" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /api/v1/vlogs/[id]/poster", params: { id: "vlog" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "HEAD /api/v1/vlogs/[id]/poster", params: { id: "vlog" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /api/v1/vlogs/stream", query: "?ids={vlog}", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "DELETE /api/v1/vlogs/[id]", params: { id: "spare-vlog" }, once: true, expect: { anonymous: 401, stranger: 404, owner: 204, admin: 404 } },
  { route: "GET /s/[token]", params: { token: "share" }, expect: { anonymous: 200, stranger: 200, owner: 200, admin: 200 } },
  { route: "GET /api/shared/[token]/video", params: { token: "share" }, expect: { anonymous: 200, stranger: 200, owner: 200, admin: 200 } },
  { route: "HEAD /api/shared/[token]/video", params: { token: "share" }, expect: { anonymous: 200, stranger: 200, owner: 200, admin: 200 } },
  { route: "GET /api/shared/[token]/poster", params: { token: "share" }, expect: { anonymous: 200, stranger: 200, owner: 200, admin: 200 } },
  { route: "HEAD /api/shared/[token]/poster", params: { token: "share" }, expect: { anonymous: 200, stranger: 200, owner: 200, admin: 200 } },
  // Last among the vlog entries: these replace and then revoke the link the three above use.
  { route: "POST /api/v1/vlogs/[id]/share", params: { id: "vlog" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "DELETE /api/v1/vlogs/[id]/share", params: { id: "vlog" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /api/admin/workflow-runs/[id]", params: { id: "run" }, expect: { anonymous: 401, stranger: 403, owner: 403, admin: 200 } },

  // AI jobs API. The fixture is the owner's completed summarize job: it can be neither
  // canceled nor retried (409) — and for anyone else it does not exist (404).
  { route: "GET /api/v1/jobs", expect: { anonymous: 401, stranger: 200, owner: 200, admin: 200 } },
  { route: "POST /api/v1/jobs", body: "job", expect: { anonymous: 401, stranger: 202, owner: 202, admin: 202 } },
  { route: "GET /api/v1/jobs/[id]", params: { id: "job" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "POST /api/v1/jobs/[id]/cancel", params: { id: "job" }, expect: { anonymous: 401, stranger: 404, owner: 409, admin: 404 } },
  { route: "POST /api/v1/jobs/[id]/retry", params: { id: "job" }, expect: { anonymous: 401, stranger: 404, owner: 409, admin: 404 } },
  { route: "GET /api/v1/jobs/stream", query: "?ids={job}", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },

  // Podcasts. "episode" is the owner's published episode, "review-episode" one waiting for
  // review; publish and resume of a published one have nothing to do (409), nor has
  // unpublish of one that is not in the feed. The feed and its files are public: the
  // unguessable token is the permission. Token rotation comes last: it retires "feed".
  { route: "GET /api/v1/episodes", expect: { anonymous: 401, stranger: 200, owner: 200, admin: 200 } },
  { route: "POST /api/v1/episodes", body: "episode-audio", expect: { anonymous: 401, stranger: 202, owner: 202, admin: 202 } },
  { route: "GET /api/v1/episodes/[id]", params: { id: "episode" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "PATCH /api/v1/episodes/[id]", params: { id: "episode" }, body: "episode-edit", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /api/v1/episodes/[id]/progress", params: { id: "episode" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "POST /api/v1/episodes/[id]/publish", params: { id: "episode" }, expect: { anonymous: 401, stranger: 404, owner: 409, admin: 404 } },
  { route: "POST /api/v1/episodes/[id]/resume", params: { id: "episode" }, expect: { anonymous: 401, stranger: 404, owner: 409, admin: 404 } },
  { route: "POST /api/v1/episodes/[id]/unpublish", params: { id: "review-episode" }, expect: { anonymous: 401, stranger: 404, owner: 409, admin: 404 } },
  { route: "GET /api/v1/episodes/[id]/audio", params: { id: "episode" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "HEAD /api/v1/episodes/[id]/audio", params: { id: "episode" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /api/v1/episodes/stream", query: "?ids={episode}", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "POST /api/v1/episodes/uploads", headers: TUS_CREATE, expect: { anonymous: 401, stranger: 201, owner: 201, admin: 201 } },
  { route: "GET /api/v1/episodes/uploads/[uploadId]", params: { uploadId: "audio-upload" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "HEAD /api/v1/episodes/uploads/[uploadId]", params: { uploadId: "audio-upload" }, headers: TUS, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "PATCH /api/v1/episodes/uploads/[uploadId]", params: { uploadId: "audio-upload" }, headers: TUS_PATCH, expect: { anonymous: 401, stranger: 404, owner: 204, admin: 404 } },
  { route: "DELETE /api/v1/episodes/uploads/[uploadId]", params: { uploadId: "audio-upload" }, headers: TUS, once: true, expect: { anonymous: 401, stranger: 404, owner: 204, admin: 404 } },
  { route: "DELETE /api/v1/episodes/[id]", params: { id: "review-episode" }, once: true, expect: { anonymous: 401, stranger: 404, owner: 204, admin: 404 } },
  { route: "GET /api/v1/shows", expect: { anonymous: 401, stranger: 200, owner: 200, admin: 200 } },
  { route: "POST /api/v1/shows", body: "show", expect: { anonymous: 401, stranger: 201, owner: 201, admin: 201 } },
  { route: "GET /api/v1/shows/[id]", params: { id: "show" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "PATCH /api/v1/shows/[id]", params: { id: "show" }, body: "show-edit", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "PUT /api/v1/shows/[id]/artwork", params: { id: "show" }, body: "artwork", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "POST /api/v1/shows/[id]/artwork", params: { id: "show" }, body: "artwork-form", expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },
  { route: "GET /feeds/[token]", params: { token: "feed" }, expect: { anonymous: 200, stranger: 200, owner: 200, admin: 200 } },
  { route: "HEAD /feeds/[token]", params: { token: "feed" }, expect: { anonymous: 200, stranger: 200, owner: 200, admin: 200 } },
  { route: "GET /feeds/[token]/[...path]", params: { token: "feed", path: "feed-file" }, expect: { anonymous: 200, stranger: 200, owner: 200, admin: 200 } },
  { route: "HEAD /feeds/[token]/[...path]", params: { token: "feed", path: "feed-file" }, expect: { anonymous: 200, stranger: 200, owner: 200, admin: 200 } },
  { route: "POST /api/v1/shows/[id]/feed-token", params: { id: "show" }, expect: { anonymous: 401, stranger: 404, owner: 200, admin: 404 } },

  // Operations console: admins only (403 for everyone else signed in). Its previews show
  // admins any photo's thumbnail, by design (docs/operations-console.md).
  { route: "GET /admin", expect: { anonymous: 307, stranger: 403, owner: 403, admin: 200 } },
  { route: "GET /api/admin/overview", expect: { anonymous: 401, stranger: 403, owner: 403, admin: 200 } },
  { route: "GET /api/admin/overview/stream", stream: true, expect: { anonymous: 401, stranger: 403, owner: 403, admin: 200 } },
  { route: "POST /api/admin/retry", body: "retry-missing-job", expect: { anonymous: 401, stranger: 403, owner: 403, admin: 404 } },
  { route: "GET /api/admin/media/[id]/thumbnail", expect: { anonymous: 401, stranger: 403, owner: 403, admin: 200 } },
  { route: "HEAD /api/admin/media/[id]/thumbnail", expect: { anonymous: 401, stranger: 403, owner: 403, admin: 200 } },
  // Bull Board: its page, JSON API and static files behind one catch-all route. The
  // mutating calls use a queue that does not exist, so the admin's call changes nothing.
  { route: "GET /admin/queues/[[...path]]", url: "/admin/queues", expect: { anonymous: 303, stranger: 403, owner: 403, admin: 200 } },
  { route: "POST /admin/queues/[[...path]]", url: "/admin/queues/api/queues/no-such-queue/add", expect: { anonymous: 303, stranger: 403, owner: 403, admin: 404 } },
  { route: "PUT /admin/queues/[[...path]]", url: "/admin/queues/api/queues/no-such-queue/pause", expect: { anonymous: 303, stranger: 403, owner: 403, admin: 404 } },
  { route: "PATCH /admin/queues/[[...path]]", url: "/admin/queues/api/queues/no-such-queue", expect: { anonymous: 303, stranger: 403, owner: 403, admin: 404 } },
  { route: "DELETE /admin/queues/[[...path]]", url: "/admin/queues/api/queues/no-such-queue/no-such-job", expect: { anonymous: 303, stranger: 403, owner: 403, admin: 404 } },

  // Any other /api address, with any method: the JSON 404 (a multipart POST included); a
  // state-changing one from another origin is still refused first (403).
  ...(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const).map((method): MatrixEntry => ({
    route: `${method} /api/[[...unknown]]`,
    url: "/api/v1/no-such-thing",
    ...(method === "POST" ? { body: "photo" as const } : {}),
    expect: { anonymous: 404, stranger: 404, owner: 404, admin: 404 },
  })),

  // Probes are public; metrics need METRICS_TOKEN, which the e2e run leaves unset (404).
  { route: "GET /api/health", expect: { anonymous: 200, stranger: 200, owner: 200, admin: 200 } },
  { route: "GET /api/ready", expect: { anonymous: 200, stranger: 200, owner: 200, admin: 200 } },
  { route: "GET /api/metrics", expect: { anonymous: 404, stranger: 404, owner: 404, admin: 404 } },
];
