// A photo's state in Postgres: "done" is final. Two runs of one analysis job can overlap
// when a worker starved on a busy machine loses the job's lock and the job is handed out
// again (app/scale-out.fault.test.ts saw a photo announced done twice that way); the run
// that finishes second must change nothing a person can see.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeBatch, uploadBatch } from "@/test/batch";
import { signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { deleteMedia, updateMediaState } from "./repository";

let iso: IsolatedEnv;
let cookie: string;

beforeAll(async () => {
  iso = await isolate();
  cookie = await signUp("repository@example.com");
});

afterAll(async () => {
  await iso?.teardown();
});

describe("updateMediaState", () => {
  it("moves a photo along, each change a newer version, until it is done", async () => {
    const [id] = await uploadBatch(cookie, await makeBatch(1, { width: 64, height: 48, seedBase: 1 }));
    const queued = await db().media.findUniqueOrThrow({ where: { id } });
    const analysing = await updateMediaState(db(), id, { status: "analysing", stage: "thumbnail", progress: 0.4 });
    expect(analysing.version).toBe(queued.version + 1);
    const done = await updateMediaState(db(), id, { status: "done", stage: null, progress: 1, error: null });
    expect(done).toMatchObject({ status: "done", version: queued.version + 2 });
    expect(done.completedAt).toBeInstanceOf(Date);
  });

  it("leaves a done photo as it is: a late run's stage, failure or second done changes nothing", async () => {
    const [id] = await uploadBatch(cookie, await makeBatch(1, { width: 64, height: 48, seedBase: 2 }));
    const done = await updateMediaState(db(), id, { status: "done", stage: null, progress: 1, error: null });
    for (const late of [
      { status: "analysing" as const, stage: "describing", progress: 0.6 },
      { status: "failed" as const, stage: null, error: "The late run failed" },
      { status: "queued" as const, stage: "retrying", error: null },
      { status: "done" as const, stage: null, progress: 1, error: null },
    ]) {
      const row = await updateMediaState(db(), id, late);
      expect(row, late.status).toEqual(done);
    }
    expect(await db().media.findUniqueOrThrow({ where: { id } })).toEqual(done);
  });

  it("still fails for a photo deleted meanwhile", async () => {
    const [id] = await uploadBatch(cookie, await makeBatch(1, { width: 64, height: 48, seedBase: 3 }));
    await deleteMedia(db(), id);
    await expect(updateMediaState(db(), id, { status: "analysing", stage: "decoding", progress: 0.1 })).rejects.toMatchObject({ code: "P2025" });
  });
});
