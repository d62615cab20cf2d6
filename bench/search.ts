// Scenario 15 — library search: 100,000 analysed photos of one person (seeded with COPY
// into a schema of its own, the search documents built by the migrations' triggers: on each
// analysis, then copied onto its photo), then lib/media/search.ts searchOwnedMedia (Prisma
// raw query, GIN index on the photos' owner and document) for common, rare, two-word,
// camera/date and plural queries, vs the same SQL sent with plain pg.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createDb } from "@/lib/db";
import { searchOwnedMedia, searchSql, toTsQuery } from "@/lib/media/search";
import { applyMigrations, ensureDatabase } from "@/prisma/offline-migrate";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import { median, percentile } from "./lib/stats";

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/framecast_bench";
const QUERIES = ["dog", "person", "mountain", "wine glass", "canon 2023", "june", "mountains", "zebra", "bicycle sky"];

// What the describers write: COCO objects (local model), scene words (Gemini), looks.
const OBJECTS = ["person", "dog", "cat", "car", "bicycle", "bird", "bottle", "wine glass", "cup", "chair", "boat", "horse", "sheep", "zebra", "kite", "clock", "bench", "umbrella"];
const SCENES = ["mountain", "beach", "forest", "city", "sky", "sunset", "snow", "flower", "lake", "street", "garden", "bridge"];
const LOOKS = ["landscape-format", "portrait-format", "square", "bright", "dark", "muted", "vivid", "blue", "green", "brown", "grey", "orange", "warm tones", "cool tones"];
const CAMERAS = [["Canon", "Canon EOS R5"], ["NIKON CORPORATION", "NIKON Z 6"], ["Apple", "iPhone 15 Pro"], ["SONY", "ILCE-7M4"], ["FUJIFILM", "X-T5"]];

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same library. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value for a text[] column in COPY's text format. */
const pgArray = (items: string[]) => `{${items.map((i) => `"${i.replace(/["\\]/g, "")}"`).join(",")}}`;

function seedFiles(dir: string, ownerId: string, count: number) {
  const random = rng(42);
  const pick = <T>(list: T[], skew = 1) => list[Math.floor(Math.pow(random(), skew) * list.length)];
  const analysis: string[] = [];
  const media: string[] = [];
  const start = Date.UTC(2018, 0, 1);
  for (let i = 0; i < count; i++) {
    const sha = `${i.toString(16).padStart(8, "0")}${"0".repeat(56)}`;
    // Skewed picks: "person" and "dog" are common, "zebra" and "bridge" rare, as in life.
    const objects = [...new Set(Array.from({ length: Math.floor(random() * 3) }, () => pick(OBJECTS, 2.2)))];
    const scenes = random() < 0.4 ? [pick(SCENES, 1.5)] : [];
    const looks = [pick(LOOKS), pick(LOOKS)];
    const [make, model] = pick(CAMERAS);
    const taken = new Date(start + Math.floor(random() * 6 * 365 * 86_400_000));
    const caption = objects.length ? `A photo with ${objects.join(" and ")}${scenes.length ? ` near a ${scenes[0]}` : ""}.` : `A ${looks.join(", ")} photo.`;
    const exif = JSON.stringify({ cameraMake: make, cameraModel: model, takenAt: taken.toISOString().slice(0, 19) });
    const iso = taken.toISOString().replace("T", " ").replace("Z", "");
    analysis.push([sha, 4000, 3000, "jpeg", `thumbs/${sha}.webp`, exif.replace(/\\/g, "\\\\"), iso, pgArray(["#336699"]), "0".repeat(16), caption, pgArray([...objects, ...scenes, ...looks]), "local:centernet"].join("\t"));
    const created = new Date(start + i * 60_000).toISOString().replace("T", " ").replace("Z", "");
    media.push([randomUUID(), ownerId, `IMG_${i}.jpg`, "image/jpeg", 3_000_000, sha, `originals/${sha}-${i}`, "done", 1, sha, created, created, created].join("\t"));
  }
  writeFileSync(path.join(dir, "analysis.tsv"), `${analysis.join("\n")}\n`);
  writeFileSync(path.join(dir, "media.tsv"), `${media.join("\n")}\n`);
}

function psql(url: string, schema: string, command: string) {
  const out = spawnSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-q", "-c", `SET search_path TO ${schema}`, "-c", command], { encoding: "utf8" });
  if (out.status !== 0) throw new Error(`psql failed: ${out.stderr.trim()}`);
}

export const scenario: Scenario = {
  number: 15,
  id: "search",
  title: "library search",
  target: "p50 ≤ 20 ms over 100,000 photos",
  async run({ quick, log }) {
    const count = quick ? 20_000 : 100_000;
    const perQuery = quick ? 10 : 40;
    const schema = `bench_search_${randomUUID().slice(0, 6)}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), "framecast-search-"));
    await ensureDatabase(DATABASE_URL);
    await applyMigrations({ connectionString: DATABASE_URL, schema });
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2, options: `-c search_path=${schema}` });
    const db = createDb(DATABASE_URL, schema);
    try {
      const ownerId = randomUUID();
      await pool.query(`INSERT INTO "User" ("id", "email", "passwordHash") VALUES ($1, 'bench-search@example.com', 'x')`, [ownerId]);
      seedFiles(dir, ownerId, count);
      const began = Date.now();
      psql(DATABASE_URL, schema, `\\copy "Analysis" ("sha256","width","height","format","thumbnailKey","exif","takenAt","colours","phash","caption","tags","provider") FROM '${path.join(dir, "analysis.tsv")}'`);
      psql(DATABASE_URL, schema, `\\copy "Media" ("id","ownerId","originalName","mime","size","sha256","storageKey","status","progress","analysisSha","createdAt","updatedAt","completedAt") FROM '${path.join(dir, "media.tsv")}'`);
      // What autovacuum would do after a bulk load: move the GIN pending list into the index, statistics.
      await pool.query(`VACUUM ANALYZE "Analysis"`);
      await pool.query(`VACUUM ANALYZE "Media"`);
      log(`seeded ${count.toLocaleString("en-US")} photos with COPY in ${((Date.now() - began) / 1000).toFixed(1)} s`);

      // searchOwnedMedia's own SQL, sent with plain pg: what Prisma adds on top.
      const bare = (q: string) => {
        const sql = searchSql(ownerId, toTsQuery(q)!, { limit: 60 });
        return pool.query(sql.text, sql.values);
      };
      const ours: number[] = [];
      const bareMs: number[] = [];
      const perTerm: Record<string, { p50: number; hits: number }> = {};
      for (const q of QUERIES) await searchOwnedMedia(db, ownerId, q, { limit: 60 }); // warm caches and the plan
      for (const q of QUERIES) {
        const mine: number[] = [];
        let hits = 0;
        for (let i = 0; i < perQuery; i++) {
          let t = performance.now();
          hits = (await searchOwnedMedia(db, ownerId, q, { limit: 60 })).length;
          mine.push(performance.now() - t);
          t = performance.now();
          await bare(q);
          bareMs.push(performance.now() - t);
        }
        ours.push(...mine);
        perTerm[q] = { p50: Math.round(median(mine) * 10) / 10, hits };
      }
      const matching = await pool.query(`SELECT count(*)::int AS n FROM "Media" WHERE "search" @@ to_tsquery('english', 'person')`);
      const p50 = median(ours);
      const rows: Row[] = [
        {
          case: `searchOwnedMedia over ${count.toLocaleString("en-US")} photos, ${QUERIES.length} queries`,
          unit: "ms",
          median: Math.round(p50 * 10) / 10,
          p99: Math.round(percentile(ours, 99) * 10) / 10,
          n: ours.length,
          baseline: `same SQL with plain pg p50 ${median(bareMs).toFixed(1)} ms`,
          target: "p50 ≤ 20 ms",
          pass: p50 <= 20,
        },
      ];
      return {
        rows,
        notes: [
          `Per query (p50 ms / hits of 60): ${Object.entries(perTerm).map(([q, r]) => `“${q}” ${r.p50} / ${r.hits}`).join("; ")}.`,
          `“person” matches ${matching.rows[0].n.toLocaleString("en-US")} of the photos (Postgres walks the newest photos and stops at 60); rare words go through the GIN index on the photos' (ownerId, search).`,
          "Seeded with psql's \\copy into a schema of its own; the search documents are built by the migrations' triggers on insert (each analysis's, copied onto its photo).",
        ],
        data: { count, perTerm, ours, bare: bareMs },
      };
    } finally {
      await db.$disconnect();
      if (!process.env.BENCH_SEARCH_KEEP) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      else log(`kept schema ${schema}`);
      await pool.end();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
