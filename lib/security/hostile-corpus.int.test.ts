// Feeds the hostile-file corpus through the real upload handler to the real worker,
// running as its own process, while another user keeps uploading ordinary photos. Every
// case must end in a clear 4xx at upload, a failed photo with a readable message, or a
// harmless finished photo; the worker must stay up and keep serving everyone. Writes the
// case → outcome table to test-results/hostile-corpus.md.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getOriginal } from "@/app/api/v1/media/[id]/original/route";
import { GET as getThumbnail } from "@/app/api/v1/media/[id]/thumbnail/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { GET as stream } from "@/app/api/v1/media/stream/route";
import { db } from "@/lib/db";
import { shortenName } from "@/lib/http/file-names";
import { FILE_CSP } from "@/lib/http/files";
import { closeEventHub } from "@/lib/events/web";
import { closeQueues } from "@/lib/jobs";
import { makeJpeg } from "@/test/test-images";
import type { MediaView } from "@/lib/media/view";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { call, photoForm, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { startWorker, type Child } from "@/test/processes";
import { buildHostileCorpus, type HostileCase } from "@/test/hostile-corpus";

const LIMITS = { maxFileBytes: 2 * 1024 * 1024, maxPixels: 100_000_000, maxFrames: 1_000 };

let iso: IsolatedEnv;
let worker: Child;
let mallory: string;
let alice: string;

beforeAll(async () => {
  iso = await isolate({
    MAX_FILE_BYTES: String(LIMITS.maxFileBytes),
    MAX_REQUEST_BYTES: String(3 * 1024 * 1024),
    MAX_FILES_PER_REQUEST: "3",
    MAX_PIXELS: String(LIMITS.maxPixels),
    MAX_FRAMES: String(LIMITS.maxFrames),
  });
  worker = await startWorker({ WORKER_CONCURRENCY: "2" }, { env: process.env });
  mallory = await signUp("mallory@example.com");
  alice = await signUp("alice@example.com");
});

afterAll(async () => {
  await worker?.stop();
  await Promise.all([closeQueues(), closeEventHub(), closeRateLimiter()]);
  await db().$disconnect();
  await iso?.teardown();
});

interface Sent {
  status: number;
  body: { media?: MediaView[]; rejected?: { name: string; status: number; error: string }[]; error?: { message: string } };
}

async function send(cookie: string, form: FormData | BodyInit, headers?: Record<string, string>): Promise<Sent> {
  const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: form, headers });
  return { status: res.status, body: await res.json() };
}

async function untilFinished(cookie: string, ids: string[]): Promise<Map<string, MediaView>> {
  const res = await call(stream, { path: `/api/v1/media/stream?ids=${ids.join(",")}`, cookie });
  expect(res.status).toBe(200);
  const final = new Map<string, MediaView>();
  for (const m of await readSse(res)) if (m.event === "media") final.set((m.data as MediaView).id, m.data as MediaView);
  return final;
}

async function alicePhoto(seed: number): Promise<string> {
  const sent = await send(alice, photoForm([{ name: `holiday-${seed}.jpg`, bytes: await makeJpeg({ width: 640, height: 480, seed }) }]));
  expect(sent.status).toBe(202);
  return sent.body.media![0].id;
}

/** Readable: a sentence for a person, not a stack trace or an internal code. */
function expectReadable(message: string | null | undefined) {
  expect(message).toBeTruthy();
  expect(message!.length).toBeGreaterThan(15);
  expect(message).not.toMatch(/\n\s+at |Error:|undefined|\[object|vips|sharp/i);
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  return out;
}

describe("hostile uploads", () => {
  it("answers every hostile file clearly, keeps the worker alive, and keeps other people's photos flowing", { timeout: 240_000 }, async () => {
    const corpus = await buildHostileCorpus(LIMITS);
    expect(corpus.length).toBeGreaterThanOrEqual(25);

    const aliceIds = [await alicePhoto(101)];
    const rows: { c: HostileCase; outcome: string; detail: string }[] = [];
    const accepted = new Map<string, HostileCase>();
    for (const [i, c] of corpus.entries()) {
      if (i === Math.floor(corpus.length / 2)) aliceIds.push(await alicePhoto(102));
      const sent = await send(mallory, photoForm([{ name: c.filename, bytes: c.bytes, type: c.contentType }]));
      if (sent.status === 202) {
        accepted.set(sent.body.media![0].id, c);
      } else {
        rows.push({ c, outcome: `rejected ${sent.status}`, detail: sent.body.error?.message ?? "" });
        expect.soft(c.expect, `${c.id} was rejected (${sent.status}: ${sent.body.error?.message})`).toBe("rejected");
        expect.soft(sent.status, c.id).toBe(c.status);
        expect.soft(sent.body.error?.message, c.id).toMatch(c.message ?? /./);
        expectReadable(sent.body.error?.message);
      }
    }
    aliceIds.push(await alicePhoto(103));

    // The stream ends only when every photo is done or failed: a stalled worker never lets it.
    const finals = await untilFinished(mallory, [...accepted.keys()]);
    for (const [id, c] of accepted) {
      const media = finals.get(id)!;
      rows.push({ c, outcome: media.status, detail: media.status === "failed" ? media.error! : `stored as “${shorten(media.name)}”, ${media.mime}` });
      expect.soft(media.status, `${c.id} ended ${media.status}: ${media.error ?? ""}`).toBe(c.expect);
      if (media.status === "failed") {
        expect.soft(media.error, c.id).toMatch(c.message ?? /./);
        expectReadable(media.error);
      }
      if (media.status !== "done") continue;
      if (c.name) expect.soft(media.name, c.id).toBe(c.name);

      // Only re-encoded pixels reach a thumbnail: none of the payload survives.
      const thumb = await call(getThumbnail, { path: `/api/v1/media/${id}/thumbnail`, cookie: mallory, params: { id } });
      const thumbBytes = Buffer.from(await thumb.arrayBuffer());
      expect.soft(thumbBytes.subarray(8, 12).toString("latin1"), c.id).toBe("WEBP");
      for (const marker of ["<script", "PK\x03\x04", "<html", "AAAAAAAAAAAAAAAA"]) {
        expect.soft(thumbBytes.includes(Buffer.from(marker, "latin1")), `${c.id} thumbnail holds ${JSON.stringify(marker)}`).toBe(false);
      }
      // The original comes back byte for byte, but only ever as a download of its sniffed type.
      const original = await call(getOriginal, { path: `/api/v1/media/${id}/original`, cookie: mallory, params: { id } });
      expect.soft(Buffer.from(await original.arrayBuffer()).equals(c.bytes), c.id).toBe(true);
      expect.soft(original.headers.get("content-type"), c.id).toBe(media.mime);
      expect.soft(media.mime, c.id).toMatch(/^image\/(jpeg|png|webp|gif|heic|avif)$/);
      expect.soft(original.headers.get("content-disposition"), c.id).toMatch(/^attachment; filename="[^"\r\n]*"; filename\*=UTF-8''[^\s"]+$/);
      expect.soft(original.headers.get("x-content-type-options"), c.id).toBe("nosniff");
      expect.soft(original.headers.get("content-security-policy"), c.id).toBe(FILE_CSP);
      expect.soft(original.headers.get("set-cookie"), c.id).toBeNull();
    }

    // Meanwhile Alice's photos went through, and the worker is still up and still working.
    const aliceFinal = await untilFinished(alice, aliceIds);
    expect(aliceIds.map((id) => aliceFinal.get(id)?.status)).toEqual(["done", "done", "done"]);
    expect(worker.running).toBe(true);
    const after = await alicePhoto(104);
    expect((await untilFinished(alice, [after])).get(after)?.status).toBe("done");
    expect(worker.running).toBe(true);

    // Client names never became paths: everything stored sits under a key we generated,
    // and no temp file of a refused upload was left behind.
    const stored = await files(iso.dataDir);
    for (const file of stored) {
      expect(file).toMatch(/^objects\/(originals\/\d{4}\/\d{2}|thumbs)\/\.?([0-9a-f-]{36}|[0-9a-f]{64}\.webp)(\.meta\.json)?$/);
    }
    expect(stored.filter((f) => f.startsWith("tmp/"))).toEqual([]);

    rows.sort((a, b) => corpus.indexOf(a.c) - corpus.indexOf(b.c));
    await writeTable(rows);
    expect(rows).toHaveLength(corpus.length);
  });

  it("refuses malformed and oversized requests as a whole, with a readable message", async () => {
    const small = await makeJpeg({ width: 64, height: 64, seed: 1 });
    const tooMany = await send(mallory, photoForm([1, 2, 3, 4].map((n) => ({ name: `p${n}.jpg`, bytes: small }))));
    expect(tooMany.status).toBe(202);
    expect(tooMany.body.media).toHaveLength(3);
    expect(tooMany.body.rejected).toEqual([{ name: "p4.jpg", status: 413, error: "p4.jpg was not uploaded: send at most 3 files per request." }]);

    const big = Buffer.concat([small, Buffer.alloc(1.9 * 1024 * 1024)]);
    const tooLarge = await send(mallory, photoForm([{ name: "a.jpg", bytes: big }, { name: "b.jpg", bytes: big }]));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error?.message).toMatch(/one request may carry at most 3 MB/i);

    // The same without a Content-Length: counted as it streams in, and cut off.
    const chunk = new Uint8Array(256 * 1024);
    let sentChunks = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sentChunks === 0) controller.enqueue(new TextEncoder().encode('--x\r\nContent-Disposition: form-data; name="files"; filename="s.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff'));
        if (++sentChunks > 40) return controller.close();
        controller.enqueue(chunk);
      },
    });
    const streamed = await send(mallory, endless, { "content-type": "multipart/form-data; boundary=x" });
    expect(streamed.status).toBe(413);
    expect(streamed.body.error?.message).toMatch(/at most 3 MB/);

    const json = await send(mallory, JSON.stringify({ files: ["x"] }), { "content-type": "application/json" });
    expect(json.status).toBe(415);
    expect(json.body.error?.message).toMatch(/multipart\/form-data/);

    const cutOff = await send(mallory, '--x\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\n\r\n\xff\xd8\xff', {
      "content-type": "multipart/form-data; boundary=x",
    });
    expect(cutOff.status).toBe(400);
    expect(cutOff.body.error?.message).toMatch(/interrupted or malformed/);

    const empty = new FormData();
    empty.append("note", "no files here");
    const none = await send(mallory, empty);
    expect(none.status).toBe(400);
    expect(none.body.error?.message).toMatch(/No files were found/);
    for (const r of [tooLarge, streamed, json, cutOff, none]) expectReadable(r.body.error?.message);
  });
});

// Cut between whole characters (a plain slice could split an emoji's surrogate pair).
const shorten = (name: string) => (name.length > 60 ? `${shortenName(name, 24)} (${name.length} characters)` : name);

async function writeTable(rows: { c: HostileCase; outcome: string; detail: string }[]) {
  const lines = [
    "| # | Case | What it is | Outcome | What the person sees |",
    "| - | ---- | ---------- | ------- | -------------------- |",
    ...rows.map(({ c, outcome, detail }, i) => `| ${i + 1} | ${c.id} | ${c.what.replace(/\|/g, "\\|")} | ${outcome} | ${detail.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ")} |`),
  ];
  const dir = path.resolve(__dirname, "../../test-results");
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "hostile-corpus.md"), lines.join("\n") + "\n");
  console.log(`\nHostile corpus (${rows.length} cases):\n${lines.join("\n")}\n`);
}
