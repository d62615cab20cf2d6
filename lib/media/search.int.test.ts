// Library search against the real Postgres: the migration's trigger builds each analysis's
// search document, the GIN index answers, and only the owner's photos come back.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolate, type IsolatedEnv } from "@/test/integration";

let iso: IsolatedEnv;
let search: typeof import("./search");
let owner: string;
let stranger: string;

beforeAll(async () => {
  iso = await isolate();
  search = await import("./search");
  const { db } = await import("@/lib/db");
  const repo = await import("./repository");
  owner = (await db().user.create({ data: { email: "search-owner@example.com", passwordHash: "x" } })).id;
  stranger = (await db().user.create({ data: { email: "search-stranger@example.com", passwordHash: "x" } })).id;

  const photo = async (ownerId: string, name: string, a: { caption: string; tags: string[]; exif?: object; takenAt?: Date }) => {
    const sha256 = randomBytes(32).toString("hex");
    await repo.saveAnalysis(db(), {
      sha256,
      width: 4000,
      height: 3000,
      format: "jpeg",
      thumbnailKey: `thumbs/${sha256}.webp`,
      exif: a.exif,
      takenAt: a.takenAt ?? null,
      colours: ["#336699"],
      phash: "0".repeat(16),
      caption: a.caption,
      tags: a.tags,
      provider: "local:centernet",
    });
    const m = await repo.createMedia(db(), { ownerId, originalName: name, mime: "image/jpeg", size: 1000, sha256, storageKey: `originals/${sha256}` });
    await repo.updateMediaState(db(), m.id, { status: "done", progress: 1, analysisSha: sha256 });
  };
  await photo(owner, "dogs.jpg", {
    caption: "Two dogs, in a muted portrait-format photo dominated by grey and brown.",
    tags: ["dog ×2", "portrait-format", "grey"],
    exif: { cameraMake: "Canon", cameraModel: "Canon EOS R5" },
    takenAt: new Date("2023-06-14T10:00:00Z"),
  });
  await photo(owner, "peaks.jpg", {
    caption: "Snowy mountains under a blue sky.",
    tags: ["mountain", "snow", "sky"],
    exif: { cameraMake: "Nikon", cameraModel: "Z 6", lens: "NIKKOR Z 24-70mm" },
    takenAt: new Date("2021-01-03T10:00:00Z"),
  });
  await photo(owner, "wine.jpg", { caption: "A bottle and a wine glass.", tags: ["bottle", "wine glass"] });
  await photo(stranger, "their-dog.jpg", { caption: "A dog.", tags: ["dog"] });
}, 60_000);

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await iso?.teardown();
});

const names = async (q: string, ownerId = owner) => (await search.searchOwnedMedia((await import("@/lib/db")).db(), ownerId, q, { limit: 20 })).map((h) => h.name).sort();

describe("library search", () => {
  it("finds photos by tag, caption words and plurals", async () => {
    expect(await names("dog")).toEqual(["dogs.jpg"]);
    expect(await names("dogs")).toEqual(["dogs.jpg"]);
    expect(await names("mountain")).toEqual(["peaks.jpg"]);
    expect(await names("Wine glass")).toEqual(["wine.jpg"]);
  });

  it("finds photos by camera, lens, year and month", async () => {
    expect(await names("canon")).toEqual(["dogs.jpg"]);
    expect(await names("nikkor")).toEqual(["peaks.jpg"]);
    expect(await names("2023")).toEqual(["dogs.jpg"]);
    expect(await names("january")).toEqual(["peaks.jpg"]);
  });

  it("needs every word, whole", async () => {
    expect(await names("mountains")).toEqual(["peaks.jpg"]);
    expect(await names("moun")).toEqual([]);
    expect(await names("dog 2021")).toEqual([]);
    expect(await names("snow sky")).toEqual(["peaks.jpg"]);
  });

  it("returns the caption and tags with each hit, and never someone else's photo", async () => {
    const [hit] = await search.searchOwnedMedia((await import("@/lib/db")).db(), owner, "dog", { limit: 20 });
    expect(hit.caption).toMatch(/^Two dogs/);
    expect(hit.tags).toContain("dog ×2");
    expect(hit.thumbnailUrl).toMatch(/\/thumbnail$/);
    expect(await names("dog", stranger)).toEqual(["their-dog.jpg"]);
  });

  it("treats punctuation as nothing and refuses an over-long query with a sentence", async () => {
    expect(await names("")).toEqual([]);
    expect(await names("!!! & | :*")).toEqual([]);
    expect(await names("'dog'); drop table")).toEqual([]);
    await expect(names("x".repeat(201))).rejects.toThrow(/at most 200 characters/);
  });
});
