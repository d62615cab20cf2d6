// API tokens end to end over the route handlers: shown once, stored hashed, scoped,
// accepted by /api/v1 as `Authorization: Bearer`, revocable at once, and unable to manage
// the account itself.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE as signOutEverywhere } from "@/app/api/account/sessions/route";
import { DELETE as revokeToken } from "@/app/api/account/tokens/[id]/route";
import { POST as createToken } from "@/app/api/account/tokens/route";
import { GET as getMedia } from "@/app/api/v1/media/[id]/route";
import { POST as retry } from "@/app/api/v1/media/[id]/retry/route";
import { GET as listMedia, POST as upload } from "@/app/api/v1/media/route";
import { GET as stream } from "@/app/api/v1/media/stream/route";
import { db } from "@/lib/db";
import { closeEventHub } from "@/lib/events/web";
import { closeQueues } from "@/lib/jobs";
import { makeJpeg } from "@/test/test-images";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { call, photoForm, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { listApiTokens } from "./tokens";

let iso: IsolatedEnv;
let dora: string;
let eve: string;

beforeAll(async () => {
  iso = await isolate();
  dora = await signUp("dora@example.com");
  eve = await signUp("eve@example.com");
});

afterAll(async () => {
  await Promise.all([closeQueues(), closeEventHub(), closeRateLimiter()]);
  await db().$disconnect();
  await iso?.teardown();
});

async function newToken(cookie: string, scopes: string[], name = "script") {
  const res = await call(createToken, {
    path: "/api/account/tokens",
    method: "POST",
    cookie,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, scopes }),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const photo = async (seed: number) => photoForm([{ name: `t${seed}.jpg`, bytes: await makeJpeg({ width: 48, height: 48, seed }) }]);

describe("API tokens", () => {
  it("are shown once, stored only as a hash, and listed without their value", async () => {
    const { status, body, headers } = await newToken(dora, ["read", "write", "read"], "  nightly backup  ");
    expect(status).toBe(201);
    expect(headers.get("cache-control")).toBe("no-store");
    expect(body.token).toMatch(/^fc_[A-Za-z0-9_-]{43}$/);
    expect(body.apiToken).toMatchObject({ name: "nightly backup", scopes: ["read", "write"], revokedAt: null, lastUsedAt: null });
    expect(JSON.stringify(body.apiToken)).not.toContain(body.token.slice(7));

    const row = await db().apiToken.findUniqueOrThrow({ where: { id: body.apiToken.id } });
    expect(row.tokenHash).toBe(createHash("sha256").update(body.token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(body.token.slice(7));
    const listed = await listApiTokens(db(), row.userId);
    expect(JSON.stringify(listed)).not.toContain(body.token.slice(7));
    expect(listed.map((t) => t.hint)).toContain(`${body.token.slice(0, 7)}…`);
  });

  it("explain what is wrong with a bad request", async () => {
    const { status, body } = await newToken(dora, ["admin"], "");
    expect(status).toBe(422);
    expect(body.error.fields).toMatchObject({ name: "Give the token a name." });
    expect(Object.keys(body.error.fields).some((k) => k.startsWith("scopes"))).toBe(true);
    expect((await newToken(dora, [])).body.error.fields.scopes).toBe("Choose at least one scope.");
  });

  it("work on every /api/v1 route with their scope, and only on their owner's photos", async () => {
    const rw = (await newToken(dora, ["read", "write"])).body.token as string;
    const ro = (await newToken(dora, ["read"])).body.token as string;
    const wo = (await newToken(dora, ["write"])).body.token as string;

    const uploaded = await call(upload, { path: "/api/v1/media", method: "POST", headers: bearer(rw), body: await photo(1) });
    expect(uploaded.status).toBe(202);
    const id = (await uploaded.json()).media[0].id as string;
    expect((await db().media.findUniqueOrThrow({ where: { id } })).ownerId).toBe((await db().user.findUniqueOrThrow({ where: { email: "dora@example.com" } })).id);

    for (const token of [rw, ro]) {
      expect((await call(listMedia, { path: "/api/v1/media", headers: bearer(token) })).status).toBe(200);
      expect((await call(getMedia, { path: `/api/v1/media/${id}`, headers: bearer(token), params: { id } })).status).toBe(200);
      const live = await call(stream, { path: `/api/v1/media/stream?ids=${id}`, headers: bearer(token) });
      expect(live.status).toBe(200);
      await live.body?.cancel();
    }

    // A read-only token cannot change anything; a write-only one cannot read.
    const refused = await call(upload, { path: "/api/v1/media", method: "POST", headers: bearer(ro), body: await photo(2) });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatchObject({ code: "insufficient_scope", message: expect.stringMatching(/no "write" scope/) });
    expect((await call(retry, { path: `/api/v1/media/${id}/retry`, method: "POST", headers: bearer(ro), params: { id } })).status).toBe(403);
    expect((await call(listMedia, { path: "/api/v1/media", headers: bearer(wo) })).status).toBe(403);

    // Eve's token sees none of Dora's photos: exactly like a missing one.
    const eves = (await newToken(eve, ["read", "write"])).body.token as string;
    const foreign = await call(getMedia, { path: `/api/v1/media/${id}`, headers: bearer(eves), params: { id } });
    const missing = await call(getMedia, { path: "/api/v1/media/00000000-0000-4000-8000-000000000000", headers: bearer(eves), params: { id: "00000000-0000-4000-8000-000000000000" } });
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    expect(await foreign.json()).toEqual(await missing.json());

    // Used tokens say so.
    const row = await db().apiToken.findUniqueOrThrow({ where: { tokenHash: createHash("sha256").update(ro).digest("hex") } });
    expect(row.lastUsedAt).not.toBeNull();
  });

  it("need no Origin (nothing ambient to forge), but a wrong or malformed token is a 401", async () => {
    const rw = (await newToken(dora, ["read", "write"])).body.token as string;
    const fromAnywhere = await call(upload, { path: "/api/v1/media", method: "POST", headers: { ...bearer(rw), origin: "https://elsewhere.example" }, body: await photo(3) });
    expect(fromAnywhere.status).toBe(202);
    for (const authorization of [`Bearer ${rw}x`, `Bearer fc_${"a".repeat(43)}`, `Basic ${rw}`, "Bearer", `Bearer ${rw} extra`]) {
      const res = await call(listMedia, { path: "/api/v1/media", headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect((await res.json()).error.message).toBe("That API token is not valid, or it has been revoked.");
    }
  });

  it("stop working the moment they are revoked; someone else's token looks missing", async () => {
    const { body } = await newToken(dora, ["read"]);
    const token = body.token as string;
    const id = body.apiToken.id as string;
    expect((await call(listMedia, { path: "/api/v1/media", headers: bearer(token) })).status).toBe(200);

    const byEve = await call(revokeToken, { path: `/api/account/tokens/${id}`, method: "DELETE", cookie: eve, params: { id } });
    expect(byEve.status).toBe(404);
    const missing = "00000000-0000-4000-8000-000000000000";
    const notThere = await call(revokeToken, { path: `/api/account/tokens/${missing}`, method: "DELETE", cookie: eve, params: { id: missing } });
    expect(await byEve.json()).toEqual(await notThere.json());
    expect((await call(revokeToken, { path: "/api/account/tokens/nope", method: "DELETE", cookie: eve, params: { id: "nope" } })).status).toBe(404);
    expect((await call(listMedia, { path: "/api/v1/media", headers: bearer(token) })).status).toBe(200);

    expect((await call(revokeToken, { path: `/api/account/tokens/${id}`, method: "DELETE", cookie: dora, params: { id } })).status).toBe(204);
    expect((await call(listMedia, { path: "/api/v1/media", headers: bearer(token) })).status).toBe(401);
    // Revoking twice is harmless.
    expect((await call(revokeToken, { path: `/api/account/tokens/${id}`, method: "DELETE", cookie: dora, params: { id } })).status).toBe(204);
  });

  it("cannot manage the account: no minting tokens, no revoking, no signing out everywhere", async () => {
    const { body } = await newToken(dora, ["read", "write"]);
    const token = body.token as string;
    const mint = await call(createToken, { path: "/api/account/tokens", method: "POST", headers: { ...bearer(token), "content-type": "application/json" }, body: JSON.stringify({ name: "more", scopes: ["write"] }) });
    expect(mint.status).toBe(403);
    expect((await mint.json()).error.code).toBe("session_required");
    const id = body.apiToken.id as string;
    expect((await call(revokeToken, { path: `/api/account/tokens/${id}`, method: "DELETE", headers: bearer(token), params: { id } })).status).toBe(403);
    expect((await call(signOutEverywhere, { path: "/api/account/sessions", method: "DELETE", headers: bearer(token) })).status).toBe(403);
    expect((await call(listMedia, { path: "/api/v1/media", cookie: dora })).status).toBe(200);
    // And signing out everywhere leaves tokens alone (they are revoked separately).
    expect((await call(signOutEverywhere, { path: "/api/account/sessions", method: "DELETE", cookie: dora })).status).toBe(204);
    expect((await call(listMedia, { path: "/api/v1/media", headers: bearer(token) })).status).toBe(200);
  });
});
