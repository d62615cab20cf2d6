// Bulk rows for the data-scale scenario (17): users, photos and their analyses written
// by Postgres itself with INSERT … SELECT over generate_series — no row crosses the wire,
// so a million photos take a minute or two on a loaded 2-core machine (pg-copy-streams is
// not a dependency, and COPY would only add the cost of making the text here). Ids are
// md5-derived, so every run seeds the same library; the analyses' search documents are
// built by the migration's own trigger, as for any writer, and copied onto the photos here
// (the photo insert skips triggers, see below).
import type pg from "pg";

// What the describers write (the same vocabulary as scenario 15): COCO objects, scene
// words, looks, cameras. Skewed picks make "person" common and "zebra" rare.
const OBJECTS = ["person", "dog", "cat", "car", "bicycle", "bird", "bottle", "wine glass", "cup", "chair", "boat", "horse", "sheep", "zebra", "kite", "clock", "bench", "umbrella"];
const SCENES = ["mountain", "beach", "forest", "city", "sky", "sunset", "snow", "flower", "lake", "street", "garden", "bridge"];
const LOOKS = ["landscape-format", "portrait-format", "square", "bright", "dark", "muted", "vivid", "blue", "green", "brown", "grey", "orange"];
const CAMERAS = ["Canon|Canon EOS R5", "NIKON CORPORATION|NIKON Z 6", "Apple|iPhone 15 Pro", "SONY|ILCE-7M4", "FUJIFILM|X-T5"];

/** A version-4-shaped uuid from md5(text) (the API's uuid check wants the version and variant bits). */
const uuidOf = (text: string) => `overlay(overlay(md5(${text}) placing '4' from 13) placing '8' from 17)::uuid`;

const sqlArray = (items: string[]) => `ARRAY[${items.map((i) => `'${i.replace(/'/g, "''")}'`).join(",")}]`;

export interface PhotoPlan {
  /** Marks this batch's ids apart from any other in the schema (md5(tag-…) ids). */
  tag: string;
  photos: number;
  /** One owner for every photo, or this many new owners (made here) round-robin. */
  owner: { id: string } | { users: number };
  /** The newest photos still queued and just touched (a batch being analysed). */
  queued?: number;
  /** The oldest photos left queued 30 days ago: what the reconciler is for. */
  stale?: number;
  /** Every n-th photo failed (0: none). */
  failedEvery?: number;
}

/**
 * Inserts `photos` photos, each with its own analysis (every picture is different), a minute
 * apart per owner, oldest first; done unless `queued`, `stale` or `failedEvery` says otherwise.
 */
export async function seedPhotos(client: pg.ClientBase, plan: PhotoPlan, log: (line: string) => void = () => {}): Promise<void> {
  const timed = async (what: string, sql: string, params: unknown[]) => {
    const began = performance.now();
    await client.query(sql, params);
    log(`  ${what}: ${((performance.now() - began) / 1000).toFixed(1)} s`);
  };
  const { tag, photos } = plan;
  const users = "users" in plan.owner ? plan.owner.users : 1;
  if ("users" in plan.owner) {
    await timed(
      "users",
      `INSERT INTO "User" ("id", "email", "passwordHash")
       SELECT ${uuidOf("$1 || '-user-' || u")}, $1 || '-' || u || '@scale.example', 'not a password hash: never signs in'
         FROM generate_series(0, $2::int - 1) u`,
      [tag, users],
    );
  }
  const owner = "id" in plan.owner ? `'${plan.owner.id.replace(/[^0-9a-f-]/gi, "")}'::uuid` : uuidOf("$1 || '-user-' || (g % $3::int)");
  await timed(`${photos} analyses`, analysisInsert(), [tag, photos]);
  // The rows are consistent by construction (their owners and analyses were just written):
  // skip the per-row foreign-key triggers, as pg_restore does. That skips the trigger that
  // copies each analysis's search document onto its photo too (media_search_update), so
  // the insert joins the analyses and writes the copy itself.
  await client.query(`SET session_replication_role = replica`);
  await timed(
    `${photos} photos`,
    `INSERT INTO "Media" ("id", "ownerId", "originalName", "mime", "size", "sha256", "storageKey", "status", "progress",
                          "version", "analysisSha", "search", "createdAt", "updatedAt", "completedAt")
     SELECT ${uuidOf("$1 || '-media-' || g")}, ${owner}, 'IMG_' || g || '.jpg', 'image/jpeg',
            3000000, s.sha, 'originals/' || $1 || '/' || g, s.status::"MediaStatus", CASE WHEN s.status = 'queued' THEN 0 ELSE 1 END,
            3, CASE WHEN s.status = 'done' THEN s.sha END, a."search", s.at,
            CASE WHEN g < $5::int THEN now() - interval '30 days' WHEN s.status = 'queued' THEN now() ELSE s.at END,
            CASE WHEN s.status = 'queued' THEN NULL ELSE s.at END
       FROM generate_series(0, $2::int - 1) g
            CROSS JOIN LATERAL (SELECT md5($1 || '-a-' || g) || md5($1 || '-b-' || g) AS sha,
                            timestamp '2019-01-01' + (g / $3::int) * interval '1 minute' + (g % $3::int) * interval '1 millisecond' AS at,
                            CASE WHEN g >= $2::int - $4::int OR g < $5::int THEN 'queued'
                                 WHEN $6::int > 0 AND g % $6::int = 7 THEN 'failed' ELSE 'done' END AS status) s
            LEFT JOIN "Analysis" a ON s.status = 'done' AND a."sha256" = s.sha`,
    [tag, photos, users, plan.queued ?? 0, plan.stale ?? 0, plan.failedEvery ?? 0],
  ).finally(() => client.query(`RESET session_replication_role`));
}

/** One analysis per seeded photo (sha = md5‖md5 of its index), its search document built by its trigger. */
function analysisInsert(): string {
  // Skew: index ⌊n·x^2.2⌋ for a pseudo-random x in [0,1) (a multiplicative hash of g).
  const skewed = (list: string[], salt: number, power: number) =>
    `(${sqlArray(list)})[1 + floor(${list.length} * power(((g * ${salt}::bigint) % 10007)::float8 / 10007, ${power}))::int]`;
  const uniform = (list: string[], salt: number) => `(${sqlArray(list)})[1 + ((g * ${salt}::bigint) % ${list.length})::int]`;
  return `
    INSERT INTO "Analysis" ("sha256", "width", "height", "format", "thumbnailKey", "exif", "takenAt", "colours", "phash",
                            "caption", "tags", "provider")
    SELECT v.sha, 4000, 3000, 'jpeg', 'thumbs/' || v.sha || '.webp',
           jsonb_build_object('cameraMake', split_part(v.camera, '|', 1), 'cameraModel', split_part(v.camera, '|', 2)),
           v.taken, ARRAY['#336699'], '0000000000000000',
           'A photo with a ' || v.object || CASE WHEN v.scene IS NULL THEN '' ELSE ' near a ' || v.scene END || '.',
           array_remove(ARRAY[v.object, v.scene, v.look], NULL), 'local:centernet'
      FROM generate_series(0, $2::int - 1) g,
           LATERAL (SELECT md5($1 || '-a-' || g) || md5($1 || '-b-' || g) AS sha,
                           ${skewed(OBJECTS, 7919, 2.2)} AS object,
                           CASE WHEN g % 5 < 2 THEN ${skewed(SCENES, 104729, 1.5)} END AS scene,
                           ${uniform(LOOKS, 31)} AS look,
                           ${uniform(CAMERAS, 13)} AS camera,
                           timestamp '2018-01-01' + ((g * 2654435761::bigint) % 189216000) * interval '1 second' AS taken) v`;
}

/**
 * Runs a bulk load with the secondary indexes of `tables` dropped, then builds them again
 * from their own definitions (pg_get_indexdef): one sort per index instead of a million
 * random B-tree and GIN inserts — the usual bulk-load practice, and 3–4× faster here. Primary
 * keys and unique constraints stay (they are constraints, not just indexes).
 */
export async function withIndexesRebuilt<T>(
  client: pg.ClientBase,
  tables: string[],
  load: () => Promise<T>,
  log: (line: string) => void = () => {},
): Promise<T> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    [tables],
  );
  for (const index of rows) await client.query(`DROP INDEX ${index.name}`);
  try {
    return await load();
  } finally {
    await client.query(`SET maintenance_work_mem = '256MB'`);
    const began = performance.now();
    for (const index of rows) await client.query(index.definition);
    log(`  ${rows.length} indexes built: ${((performance.now() - began) / 1000).toFixed(1)} s`);
    await client.query(`RESET maintenance_work_mem`);
  }
}
