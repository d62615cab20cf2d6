import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ConflictError,
  GoneError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  RejectedInputError,
  UnavailableError,
} from "@/lib/errors";
import { HttpError } from "./errors";
import { errorResponse } from "./status";

async function answer(err: unknown) {
  const res = errorResponse(err);
  return { status: res.status, retryAfter: res.headers.get("retry-after"), error: (await res.json()).error };
}

describe("errorResponse", () => {
  it("answers each domain error with its status, its sentence and its code", async () => {
    expect(await answer(new NotFoundError("That vlog"))).toEqual({
      status: 404,
      retryAfter: null,
      error: { message: "That vlog was not found.", code: "not_found" },
    });
    expect(await answer(new ConflictError("busy", "Wait until the current step finishes."))).toMatchObject({
      status: 409,
      error: { message: "Wait until the current step finishes.", code: "busy" },
    });
    expect(await answer(new GoneError("expired", "This download expired 24 hours after it was made."))).toMatchObject({
      status: 410,
      error: { message: "This download expired 24 hours after it was made.", code: "expired" },
    });
    const taken = new ConflictError("email_taken", "An account with this email already exists.", { fields: { email: "Taken." } });
    expect((await answer(taken)).error.fields).toEqual({ email: "Taken." });
    expect(await answer(new InvalidInputError({ "shots.0.mediaId": "A photo can appear only once." }, "A photo can appear only once."))).toMatchObject({
      status: 422,
      error: { code: "invalid_input", fields: { "shots.0.mediaId": "A photo can appear only once." } },
    });
  });

  it("answers a refused file by why it was refused", async () => {
    const statusFor = async (reason: ConstructorParameters<typeof RejectedInputError>[0]) =>
      (await answer(new RejectedInputError(reason, "No."))).status;
    expect(await statusFor("wrong_type")).toBe(415);
    expect(await statusFor("unsupported")).toBe(415);
    expect(await statusFor("too_large")).toBe(413);
    expect(await statusFor("too_long")).toBe(422);
    expect(await statusFor("damaged")).toBe(422);
    expect(await statusFor("empty")).toBe(422);
  });

  it("tells a client how long to wait when it should come back", async () => {
    expect(await answer(new RateLimitedError("Too many uploads. Try again in 2 seconds.", 1_200))).toMatchObject({
      status: 429,
      retryAfter: "2",
      error: { code: "rate_limited" },
    });
    expect(await answer(new UnavailableError("storage", "Storage is unavailable right now.", 7))).toMatchObject({
      status: 503,
      retryAfter: "7",
      error: { message: "Storage is unavailable right now.", code: "unavailable" },
    });
    const pgDown = Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: "P1001" });
    expect(await answer(pgDown)).toMatchObject({ status: 503, retryAfter: "5", error: { message: expect.stringMatching(/^The database is unavailable/) } });
  });

  it("names the dependency that failed: a refused connection to another port is not the job queue", async () => {
    const storageDown = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4568"), { code: "ECONNREFUSED", port: 4568 });
    expect((await answer(storageDown)).error.message).not.toMatch(/queue/);
    const redisPort = Number(new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379").port || 6379);
    const redisDown = Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${redisPort}`), { code: "ECONNREFUSED", port: redisPort });
    expect(await answer(redisDown)).toMatchObject({ status: 503, retryAfter: "5", error: { message: expect.stringMatching(/^The job queue is unavailable/) } });
    // Storage's own outages arrive named (lib/storage): 503, its sentence, Retry-After.
    const named = new UnavailableError("storage", "File storage is unavailable right now. Please try again in a moment.", 5, { cause: storageDown });
    expect(await answer(named)).toEqual({
      status: 503,
      retryAfter: "5",
      error: { message: "File storage is unavailable right now. Please try again in a moment.", code: "unavailable" },
    });
  });

  it("maps zod's issues to field messages, and the edge's own errors to their status", async () => {
    const parsed = z.object({ name: z.string().min(1, "Give it a name.") }).safeParse({ name: "" });
    expect(await answer(parsed.error)).toMatchObject({ status: 422, error: { code: "invalid_input", fields: { name: "Give it a name." } } });
    expect(await answer(new HttpError(401, "Please sign in first.", "unauthenticated"))).toMatchObject({ status: 401, error: { code: "unauthenticated" } });
  });

  it("never shows the internals of anything else", async () => {
    const res = await answer(new Error("secret stack detail at /srv/app.ts:12"));
    expect(res).toEqual({ status: 500, retryAfter: null, error: { message: "Something went wrong on our side. Please try again.", code: "internal" } });
  });
});
