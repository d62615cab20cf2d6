// Library search against the real Postgres: the migrations' triggers build each analysis's
// search document and copy it onto its photos, the (ownerId, search) GIN index answers, and
// only the owner's photos come back.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolate, type IsolatedEnv } from "@/test/integration";

let iso: IsolatedEnv;
let search: typeof import("./search");
let owner: string;
let stranger: string;

const db = async () => (await import("@/lib/db")).db();
const repo = () => import("./repository");

/** The analysis of some bytes, as the worker saves it. */
async function analyse(sha256: string, a: { caption: string; tags: string[]; exif?: object; takenAt?: Date }) {
  await (await repo()).saveAnalysis(await db(), {
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
}

/** A photo row as an upload writes it: queued, no analysis yet. Returns its id. */
async function upload(ownerId: string, name: string, sha256: string): Promise<string> {
  const key = `originals/${randomBytes(8).toString("hex")}`;
  return (await (await repo()).createMedia(await db(), { ownerId, originalName: name, mime: "image/jpeg", size: 1000, sha256, storageKey: key })).id;
}

/** The worker's last step: the photo is done and points at its analysis. */
async function attach(mediaId: string, sha256: string) {
  await (await repo()).updateMediaState(await db(), mediaId, { status: "done", progress: 1, analysisSha: sha256 });
}

beforeAll(async () => {
  iso = await isolate();
  search = await import("./search");
  owner = (await (await db()).user.create({ data: { email: "search-owner@example.com", passwordHash: "x" } })).id;
  stranger = (await (await db()).user.create({ data: { email: "search-stranger@example.com", passwordHash: "x" } })).id;

  const photo = async (ownerId: string, name: string, a: { caption: string; tags: string[]; exif?: object; takenAt?: Date }) => {
    const sha256 = randomBytes(32).toString("hex");
    await analyse(sha256, a);
    await attach(await upload(ownerId, name, sha256), sha256);
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
  await (await db()).$disconnect();
  await iso?.teardown();
});

const names = async (q: string, ownerId = owner) => (await search.searchOwnedMedia(await db(), ownerId, q, { limit: 20 })).map((h) => h.name).sort();

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
    const [hit] = await search.searchOwnedMedia(await db(), owner, "dog", { limit: 20 });
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

  it("finds a photo once its analysis is attached to the photo row, not before", async () => {
    const sha = randomBytes(32).toString("hex");
    const id = await upload(owner, "heron.jpg", sha);
    await analyse(sha, { caption: "A grey heron standing in a river.", tags: ["heron", "river"] });
    expect(await names("heron")).toEqual([]); // analysed, but the photo is not done yet
    await attach(id, sha);
    expect(await names("heron")).toEqual(["heron.jpg"]);
  });

  it("follows a changed analysis on every photo of those bytes, and never shows another owner's copy", async () => {
    const sha = randomBytes(32).toString("hex");
    await analyse(sha, { caption: "A red kite over a field.", tags: ["kite", "field"] });
    await attach(await upload(owner, "mine-kite.jpg", sha), sha);
    await attach(await upload(stranger, "their-kite.jpg", sha), sha);
    expect(await names("kite")).toEqual(["mine-kite.jpg"]);
    expect(await names("kite", stranger)).toEqual(["their-kite.jpg"]);

    await (await db()).analysis.update({ where: { sha256: sha }, data: { caption: "A buzzard over a field.", tags: ["buzzard", "field"] } });
    expect(await names("kite")).toEqual([]);
    expect(await names("buzzard")).toEqual(["mine-kite.jpg"]);
    expect(await names("buzzard", stranger)).toEqual(["their-kite.jpg"]);
  });
});

// A library among many others: 20,000 photos, every 5th of one person ("big"), the rest
// spread over 40 people; one photo in 997 shows an okapi (21 in all, 5 of them big's). Rows
// are written with plain SQL, so the triggers fill every photo's document as for any writer.
describe("search among everyone's photos", () => {
  let big: string;
  const OBJECTS = `ARRAY['person', 'dog', 'car', 'tree', 'boat']`;

  beforeAll(async () => {
    const d = await db();
    big = (await d.user.create({ data: { email: "search-big@example.com", passwordHash: "x" } })).id;
    await d.$executeRawUnsafe(`INSERT INTO "User" ("id", "email", "passwordHash") SELECT gen_random_uuid(), 'crowd-' || u || '@example.com', 'x' FROM generate_series(0, 39) u`);
    await d.$executeRawUnsafe(`
      INSERT INTO "Analysis" ("sha256", "width", "height", "format", "thumbnailKey", "colours", "phash", "caption", "tags", "provider")
      SELECT 'grow-' || g, 4000, 3000, 'jpeg', 'thumbs/grow-' || g || '.webp', ARRAY['#336699'], '0000000000000000',
             'A photo with a ' || (${OBJECTS})[1 + (g / 5) % 5] || CASE WHEN g % 997 = 0 THEN ' and an okapi' ELSE '' END || '.',
             ARRAY[(${OBJECTS})[1 + (g / 5) % 5]], 'local'
        FROM generate_series(0, 19999) g`);
    await d.$executeRawUnsafe(
      `INSERT INTO "Media" ("id", "ownerId", "originalName", "mime", "size", "sha256", "storageKey", "status", "progress", "analysisSha",
                            "createdAt", "updatedAt", "completedAt")
       SELECT gen_random_uuid(), CASE WHEN g % 5 = 0 THEN $1::uuid ELSE c.id END, 'grow-' || g || '.jpg', 'image/jpeg', 1000,
              'grow-' || g, 'originals/grow-' || g, 'done'::"MediaStatus", 1, 'grow-' || g, t.at, t.at, t.at
         FROM generate_series(0, 19999) g
         CROSS JOIN LATERAL (SELECT timestamp '2020-01-01' + g * interval '1 minute' AS at) t
         JOIN (SELECT id, row_number() OVER (ORDER BY email) - 1 AS n FROM "User" WHERE email LIKE 'crowd-%') c ON c.n = g % 40`,
      big,
    );
    // What autovacuum does after a bulk load: the GIN pending list into the index, statistics.
    await d.$executeRawUnsafe(`VACUUM ANALYZE "Analysis"`);
    await d.$executeRawUnsafe(`VACUUM ANALYZE "Media"`);
  }, 120_000);

  interface PlanNode {
    "Node Type": string;
    "Relation Name"?: string;
    "Index Name"?: string;
    "Index Cond"?: string;
    Plans?: PlanNode[];
  }
  const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

  it("answers a rare word from the (ownerId, search) index, the owner checked inside it", async () => {
    const { Prisma } = await import("@/lib/generated/prisma/client");
    const [row] = await (await db()).$queryRaw<{ "QUERY PLAN": unknown }[]>(
      Prisma.sql`EXPLAIN (FORMAT JSON) ${search.searchSql(big, "okapi", { limit: 60 })}`,
    );
    const raw = row["QUERY PLAN"];
    const [{ Plan }] = (typeof raw === "string" ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
    const all = nodes(Plan);
    const gin = all.find((n) => n["Index Name"] === "Media_ownerId_search_idx");
    expect(gin, JSON.stringify(Plan, null, 1)).toBeDefined();
    expect(gin!["Index Cond"]).toMatch(/"ownerId" = .*search @@/);
    expect(all.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"])).toEqual([]);
  });

  it("returns the owner's matches newest first, and pages them by `before` the same as one long page", async () => {
    const d = await db();
    const all = await search.searchOwnedMedia(d, big, "okapi", { limit: 60 });
    expect(all.map((h) => h.name)).toEqual(["grow-19940.jpg", "grow-14955.jpg", "grow-9970.jpg", "grow-4985.jpg", "grow-0.jpg"]);
    const paged: string[] = [];
    let before: Date | undefined;
    for (;;) {
      const page = await search.searchOwnedMedia(d, big, "okapi", { limit: 2, before });
      paged.push(...page.map((h) => h.id));
      if (page.length < 2) break;
      before = new Date(page[page.length - 1].createdAt);
    }
    expect(paged).toEqual(all.map((h) => h.id));
    // A common word walks the owner's newest photos: the newest of big's dogs is g = 19980.
    const dogs = await search.searchOwnedMedia(d, big, "dogs", { limit: 60 });
    expect(dogs).toHaveLength(60);
    expect(dogs[0].name).toBe("grow-19980.jpg");
    expect(dogs.every((h) => h.tags.includes("dog"))).toBe(true);
  });
});
