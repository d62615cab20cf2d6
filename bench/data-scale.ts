// Scenario 17 — costs flat as data grows: one person's library (3,000 analysed photos, 50
// of them left unfinished 30 days ago) is read through the real app on a database holding
// nothing else, then again after 1,000,000 photos of 1,000 other people (BENCH_SCALE_ROWS;
// --quick: 100,000) were bulk-loaded beside it (bench/lib/scale-seed.ts). Each read —
// library page 1 and page 50 by cursor, `?ids=` status of 100 photos, the SSE snapshot of
// 100 ids, the admin overview, search for a common and a rare word, and a reconciler pass
// (lib/media/reconcile.ts, in-process) — must stay within 1.5× of its cost on the small
// database. The query under each one is run with EXPLAIN (ANALYZE, BUFFERS) on the big
// database and printed; a sequential scan of Media or Analysis fails that row.
//
// Runs last: the bulk rows stay in the run's schema (dropped when the bench ends).
import { createDb } from "@/lib/db";
import { reconcileMedia } from "@/lib/media/reconcile";
import { searchSql, toTsQuery } from "@/lib/media/search";
import { mediaColumns } from "./lib/media-columns";
import type { Row } from "./lib/report";
import { seedPhotos, withIndexesRebuilt } from "./lib/scale-seed";
import type { Scenario } from "./lib/scenario";
import { openSse } from "./lib/sse-client";
import { median, num, percentile } from "./lib/stats";

const LIBRARY = 3_000;
const STALE = 50;
const PAGE = 60;
const TARGET_RATIO = 1.5;
const BIG_TABLES = /Seq Scan on "?(Media|Analysis)"?/;

interface Probe {
  id: string;
  label: string;
  /** One timed call, through the app. */
  call(): Promise<void>;
  /** The SQL behind it (as the app sends it), for EXPLAIN; several for the overview. */
  sql: { text: string; values: unknown[] }[];
}

interface Plan {
  text: string;
  seqScan: boolean;
  /** The index names the plan uses. */
  indexes: string[];
}

export const scenario: Scenario = {
  number: 17,
  id: "data-scale",
  title: "costs flat as data grows",
  target: "library pages, ?ids=, SSE snapshot, admin overview, search and reconciler ≤ 1.5× their empty-database cost at 1,000,000 photos; no Seq Scan on Media/Analysis",
  async run({ resources, quick, log }) {
    const bulkRows = Number(process.env.BENCH_SCALE_ROWS ?? (quick ? 100_000 : 1_000_000));
    if (!Number.isInteger(bulkRows) || bulkRows < 10_000) throw new Error(`BENCH_SCALE_ROWS must be a whole number ≥ 10,000 (got ${process.env.BENCH_SCALE_ROWS}).`);
    const bulkUsers = 1_000;
    const samples = quick ? 15 : 40;
    const stack = await resources.stack();
    const pool = stack.sql();
    const client = await pool.connect();
    const db = createDb(stack.env.DATABASE_URL, stack.env.DATABASE_SCHEMA);
    try {
      // The person whose library is read: signed up through the API, made an admin for the overview.
      const email = `scale-${resources.runId}@example.com`;
      const signup = await fetch(`${stack.webUrl}/api/auth/signup`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: stack.webUrl },
        body: JSON.stringify({ email, password: "bench password 1234" }),
      });
      if (signup.status !== 201) throw new Error(`sign-up failed: ${signup.status} ${await signup.text()}`);
      const cookie = signup.headers.get("set-cookie")!.split(";")[0];
      const userId = ((await signup.json()) as { user: { id: string } }).user.id;
      await client.query(`UPDATE "User" SET "isAdmin" = true WHERE id = $1`, [userId]);
      await seedPhotos(client, { tag: `scale-${resources.runId}-me`, photos: LIBRARY, owner: { id: userId }, stale: STALE });
      await client.query(`VACUUM ANALYZE "Media"`);
      await client.query(`VACUUM ANALYZE "Analysis"`);

      const get = async (pathAndQuery: string) => {
        const res = await fetch(`${stack.webUrl}${pathAndQuery}`, { headers: { cookie } });
        if (res.status !== 200) throw new Error(`GET ${pathAndQuery.slice(0, 80)} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
        return res.json() as Promise<Record<string, unknown>>;
      };
      // The cursor of page 50, walked through the API like a person scrolling.
      let cursor: string | null = null;
      for (let page = 1; page < 50; page++) {
        cursor = ((await get(`/api/v1/media?limit=${PAGE}${cursor ? `&before=${encodeURIComponent(cursor)}` : ""}`)) as { next: string | null }).next;
        if (!cursor) throw new Error(`the library ended at page ${page}`);
      }
      const page50 = cursor!;
      // 100 finished photos spread over the library (every 25th, past the stale ones).
      const { rows: picked } = await client.query<{ id: string }>(
        `SELECT id FROM (SELECT id, row_number() OVER (ORDER BY "createdAt") AS n FROM "Media" WHERE "ownerId" = $1 AND status = 'done') s
          WHERE n % 25 = 0 ORDER BY n LIMIT 100`,
        [userId],
      );
      const ids = picked.map((r) => r.id);
      if (ids.length !== 100) throw new Error(`only ${ids.length} finished photos to follow`);
      // Older than anything another scenario of this run left unfinished: the pass sees only these.
      const STALE_MS = 7 * 86_400_000;
      const staleBefore = () => new Date(Date.now() - STALE_MS);

      // The product's own search SQL (lib/media/search.ts), as the route sends it for page 1.
      const searchFor = (q: string) => {
        const sql = searchSql(userId, toTsQuery(q)!, { limit: PAGE });
        return { text: sql.text, values: sql.values };
      };
      const probes: Probe[] = [
        {
          id: "page-1",
          label: "library, first page",
          call: async () => void (await get(`/api/v1/media?limit=${PAGE}`)),
          sql: [{ text: `SELECT ${mediaColumns()} FROM "Media" WHERE "ownerId" = $1 ORDER BY "createdAt" DESC LIMIT ${PAGE}`, values: [userId] }],
        },
        {
          id: "page-50",
          label: "library, 50th page by cursor",
          call: async () => void (await get(`/api/v1/media?limit=${PAGE}&before=${encodeURIComponent(page50)}`)),
          sql: [
            {
              text: `SELECT ${mediaColumns()} FROM "Media" WHERE "ownerId" = $1 AND "createdAt" < $2 ORDER BY "createdAt" DESC LIMIT ${PAGE}`,
              values: [userId, page50],
            },
          ],
        },
        {
          id: "ids",
          label: "?ids= status of 100 photos",
          call: async () => {
            const body = (await get(`/api/v1/media?ids=${ids.join(",")}`)) as { media: unknown[] };
            if (body.media.length !== ids.length) throw new Error(`?ids= answered ${body.media.length} of ${ids.length}`);
          },
          sql: [{ text: `SELECT ${mediaColumns()} FROM "Media" WHERE "id" = ANY($1::uuid[])`, values: [ids] }],
        },
        {
          id: "sse",
          label: "SSE snapshot of 100 ids",
          call: async () => {
            let events = 0;
            const stream = await openSse(`${stack.webUrl}/api/v1/media/stream?ids=${ids.join(",")}`, cookie, (e) => {
              if (e.event === "media") events++;
            });
            await stream.closed; // every photo is done: snapshot, `end`, close
            if (events !== ids.length) throw new Error(`the snapshot held ${events} of ${ids.length} photos`);
          },
          sql: [{ text: `SELECT ${mediaColumns()} FROM "Media" WHERE "id" = ANY($1::uuid[])`, values: [ids] }],
        },
        {
          id: "overview",
          label: "admin overview",
          call: async () => void (await get(`/api/admin/overview`)),
          sql: [
            // lib/ai-jobs/repository.ts jobTypeFiguresSince (its own table: the Job rows of the last hour).
            {
              text: `SELECT type, count(*) FILTER (WHERE status = 'completed') AS completed, count(*) FILTER (WHERE status = 'failed') AS failed
                       FROM "Job" WHERE status IN ('completed', 'failed') AND "completedAt" >= $1::timestamptz AT TIME ZONE 'UTC' GROUP BY type ORDER BY type`,
              values: [new Date(Date.now() - 3_600_000).toISOString()],
            },
            // lib/media/repository.ts findMediaForAdmin: the photos of the sampled failed jobs.
            { text: `SELECT "id", "originalName", "status", "analysisSha" FROM "Media" WHERE "id" = ANY($1::uuid[])`, values: [ids.slice(0, 12)] },
          ],
        },
        {
          id: "search-common",
          label: "search, a common word (“dog”)",
          call: async () => void (await get(`/api/v1/media/search?q=dog`)),
          sql: [searchFor("dog")],
        },
        {
          id: "search-rare",
          label: "search, two rare words (“zebra bridge”)",
          call: async () => void (await get(`/api/v1/media/search?q=zebra%20bridge`)),
          sql: [searchFor("zebra bridge")],
        },
        {
          id: "reconcile",
          label: `reconciler pass (${STALE} stale of the library)`,
          call: async () => {
            const result = await reconcileMedia(db, { staleMs: STALE_MS });
            if (result.checked !== STALE) throw new Error(`the reconciler looked at ${result.checked} photos, not the ${STALE} stale ones`);
          },
          sql: [
            {
              text: `SELECT "id", "status", "updatedAt" FROM "Media" WHERE "status" IN ('queued', 'analysing') AND "updatedAt" < $1 ORDER BY "updatedAt" ASC LIMIT 500`,
              values: [staleBefore()],
            },
          ],
        },
      ];

      /** `samples` timed calls of every probe, round-robin (so load spikes hit all alike), after one warm-up each. */
      const measure = async (phase: string) => {
        for (const probe of probes) await probe.call();
        const times = new Map<string, number[]>(probes.map((p) => [p.id, []]));
        for (let i = 0; i < samples; i++) {
          for (const probe of probes) {
            const began = performance.now();
            await probe.call();
            times.get(probe.id)!.push(performance.now() - began);
          }
        }
        log(`  ${phase}: ${probes.map((p) => `${p.id} ${num(median(times.get(p.id)!))} ms`).join(", ")}`);
        return times;
      };
      const explain = async (probe: Probe): Promise<Plan> => {
        const texts: string[] = [];
        for (const q of probe.sql) {
          const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, q.values);
          texts.push(rows.map((r) => r["QUERY PLAN"]).join("\n"));
        }
        // The 100 ids are spelled out in the plan: shorten long literals for reading.
        const text = texts.join("\n\n").replace(/'\{[^}]{100,}\}'/g, (m) => `'{${m.split(",").length} values}'`);
        return { text, seqScan: BIG_TABLES.test(text), indexes: [...new Set([...text.matchAll(/(?:using|Index Scan on) "?(\w+)"?/g)].map((m) => m[1]))] };
      };

      log(`  the library: ${LIBRARY} photos of one person on an otherwise small database; measuring…`);
      const small = await measure("small database");
      const smallPlans = new Map<string, Plan>();
      for (const probe of probes) smallPlans.set(probe.id, await explain(probe));

      log(`  seeding ${bulkRows.toLocaleString("en-US")} photos of ${bulkUsers} people…`);
      const seedBegan = performance.now();
      await withIndexesRebuilt(
        client,
        ["Media", "Analysis"],
        () => seedPhotos(client, { tag: `scale-${resources.runId}`, photos: bulkRows, owner: { users: bulkUsers }, queued: 1_000, failedEvery: 200 }, log),
        log,
      );
      // What autovacuum would do after a bulk load: statistics, the visibility map.
      await client.query(`VACUUM ANALYZE "Media"`);
      await client.query(`VACUUM ANALYZE "Analysis"`);
      const seedSeconds = (performance.now() - seedBegan) / 1000;
      const { rows: counted } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Media"`);
      log(`  seeded in ${num(seedSeconds)} s; Media now holds ${counted[0].n.toLocaleString("en-US")} rows`);

      const big = await measure(`${bulkRows.toLocaleString("en-US")} more photos`);
      const plans = new Map<string, Plan>();
      for (const probe of probes) {
        const plan = await explain(probe);
        plans.set(probe.id, plan);
        log(`  EXPLAIN (ANALYZE, BUFFERS) — ${probe.label}:\n${plan.text.replace(/^/gm, "      ")}`);
      }

      const rows: Row[] = probes.map((probe) => {
        const before = median(small.get(probe.id)!);
        const after = median(big.get(probe.id)!);
        const ratio = after / before;
        const plan = plans.get(probe.id)!;
        return {
          case: `${probe.label}, ${bulkRows.toLocaleString("en-US")} rows`,
          unit: "ms",
          median: after,
          p99: percentile(big.get(probe.id)!, 99),
          n: samples,
          baseline: `small database p50 ${num(before)} ms`,
          ratio: `${num(ratio)}× small`,
          target: `≤ ${TARGET_RATIO}×, no Seq Scan on Media/Analysis`,
          pass: ratio <= TARGET_RATIO && !plan.seqScan,
          note: plan.seqScan ? "Seq Scan on a big table" : `indexes: ${plan.indexes.join(", ") || "none"}`,
        };
      });
      return {
        rows,
        notes: [
          `${LIBRARY} photos of the person measured (${STALE} left queued 30 days ago, for the reconciler); then ${bulkRows.toLocaleString("en-US")} photos with analyses over ${bulkUsers} other people, seeded in ${num(seedSeconds)} s (INSERT … SELECT generate_series, secondary indexes rebuilt after, VACUUM ANALYZE).`,
          `${samples} calls per read and phase through next start (c=1, round-robin over the reads), the reconciler in-process; median = p50 on the big database. Plans: EXPLAIN (ANALYZE, BUFFERS) of each read's SQL, printed above and kept in bench/results/data-scale.json.`,
        ],
        data: {
          bulkRows,
          bulkUsers,
          library: LIBRARY,
          samples,
          seedSeconds,
          small: Object.fromEntries(small),
          big: Object.fromEntries(big),
          plans: Object.fromEntries([...plans].map(([id, p]) => [id, p.text])),
          smallPlans: Object.fromEntries([...smallPlans].map(([id, p]) => [id, p.text])),
        },
      };
    } finally {
      client.release();
      await db.$disconnect();
    }
  },
};
