// What an HTTP client sees of the real web process (`next start`, built for real), headers
// included, since Next.js itself changes them on the way out: file answers with an exact
// Content-Length (200 and 206), Content-Range, HEAD and the sandbox CSP; file names kept
// as given (whole characters, extension, an RFC 8187 download header); every file past
// the per-request limit named; live streams, answered before Next by the live front, with
// the headers Next gives every API answer; the Origin check comparing scheme, host and port; unknown
// API addresses answering the JSON error shape.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BODY_LENGTH_HEADER } from "@/lib/http/content-length";
import { FILE_CSP } from "@/lib/http/files";
import { API_CSP, COMMON_SECURITY_HEADERS } from "@/lib/security/headers";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { ensureNextBuild, startNext } from "@/test/next-app";
import { bounded, freePort, startWorker, waitFor, type Child } from "@/test/processes";
import { makeJpeg } from "@/test/test-images";

let iso: IsolatedEnv;
let port: number;
let base: string;
let cookie: string;
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
}, 600_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await bounded("processes exit", Promise.all(children.map((c) => c.exited)));
  await iso?.teardown();
}, 60_000);

describe("file answers", () => {
  it("have an exact Content-Length on 200 and 206, a true Content-Range, and the same headers without a body on HEAD", { timeout: 120_000 }, async () => {
    const photo = await makeJpeg({ width: 640, height: 480, seed: 4242 });
    const sent = await upload([{ name: "beach.jpg", bytes: photo }]);
    expect(sent.status).toBe(202);
    const id = sent.json.media[0].id;
    await waitFor("the analysis", async () => JSON.parse((await request("GET", `/api/v1/media/${id}`)).body.toString()).status === "done", 90_000, 250);
    const thumbnail = (await request("GET", `/api/v1/media/${id}/thumbnail`)).body;
    expect(thumbnail.subarray(8, 12).toString("latin1")).toBe("WEBP");

    for (const [what, path, bytes] of [["original", `/api/v1/media/${id}/original`, photo], ["thumbnail", `/api/v1/media/${id}/thumbnail`, thumbnail]] as const) {
      const whole = await request("GET", path);
      expect(whole.status, what).toBe(200);
      expect(whole.body.equals(bytes), what).toBe(true);
      expectFramedByLength(whole, bytes.length, `${what} 200`);
      expect(whole.headers["accept-ranges"], what).toBe("bytes");

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

  it("carry the sandbox CSP, while other API answers carry the API's", async () => {
    const sent = await upload([{ name: "csp.jpg", bytes: await makeJpeg({ width: 64, height: 48, seed: 7 }) }]);
    const id = sent.json.media[0].id;
    for (const method of ["GET", "HEAD"]) {
      const original = await request(method, `/api/v1/media/${id}/original`);
      expect(original.headers["content-security-policy"], method).toBe(FILE_CSP);
      expect(original.headers["content-security-policy"]).toContain("sandbox");
      expect(original.headers["x-content-type-options"]).toBe("nosniff");
      expect(original.headers["cross-origin-resource-policy"]).toBe("same-origin");
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

describe("live streams (answered by the live front, lib/http/live-front.ts)", () => {
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
