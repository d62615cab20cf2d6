// The parts of a status read, timed apart in one process (no Next.js, no HTTP): the session
// lookup, the photo with its analysis (relationJoins' lateral join vs two queries), the
// polling fallback's query of 20 photos, the same SQL through plain `pg`, and the JSON view.
// CPU time per call (process.cpuUsage) as well as wall time, since on a shared machine CPU
// moves far less with load. Not a scenario: `npx tsx bench/status-read-parts.ts` (needs
// PostgreSQL as for the tests; it migrates a schema of its own and drops it).
import { randomUUID } from "node:crypto";
import pg from "pg";
import { isolate, TEST_DATABASE_URL } from "@/test/integration";

async function main() {
  const iso = await isolate();
  const { db } = await import("@/lib/db");
  const { toMediaDetail } = await import("@/lib/media/detail");
  const { toMediaView } = await import("@/lib/media/view");
  const d = db();
  const user = await d.user.create({ data: { email: "parts@example.com", passwordHash: "x" } });
  const sessionId = "5".repeat(64);
  await d.session.create({ data: { id: sessionId, userId: user.id, expiresAt: new Date(Date.now() + 86_400_000) } });
  const sha = "a".repeat(64);
  await d.analysis.create({
    data: {
      sha256: sha, width: 1600, height: 1200, format: "jpeg", thumbnailKey: "thumbnails/x", phash: "0123456789abcdef", provider: "local",
      exif: { make: "Canon", model: "EOS R6", lens: "RF 50mm", iso: 100, exposure: "1/100", fNumber: 2.8, focalLength: 50 },
      takenAt: new Date(), latitude: 52.1, longitude: 4.3, colours: ["#112233", "#445566", "#778899"],
      caption: "A bicycle leaning on a wall in the evening light", tags: ["bicycle", "wall", "street", "evening", "outdoor"],
    },
  });
  const ids: string[] = [];
  for (let i = 0; i < 21; i++) {
    const m = await d.media.create({
      data: { ownerId: user.id, originalName: `p${i}.jpg`, mime: "image/jpeg", size: 1000, sha256: "b".repeat(64), storageKey: `originals/${randomUUID()}`, status: i === 0 ? "done" : "queued", analysisSha: i === 0 ? sha : null },
    });
    ids.push(m.id);
  }
  const [one, polled] = [ids[0], ids.slice(1)];
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 10, options: `-c search_path=${iso.schema}` });
  const row = await d.media.findFirst({ where: { id: one }, include: { analysis: true } });
  const rows = await d.media.findMany({ where: { id: { in: polled } } });
  const cases: [string, number, () => Promise<unknown>][] = [
    ["session with user (include, join)", 600, () => d.session.findUnique({ where: { id: sessionId }, include: { user: true } })],
    ["session with user (4 columns, join)", 600, () => d.session.findUnique({ where: { id: sessionId }, select: { expiresAt: true, lastSeenAt: true, user: { select: { id: true, email: true, isAdmin: true } } } })],
    ["photo + analysis, relationJoins join", 600, () => d.media.findFirst({ where: { id: one, ownerId: user.id }, include: { analysis: true }, relationLoadStrategy: "join" })],
    ["photo + analysis, two queries", 600, () => d.media.findFirst({ where: { id: one, ownerId: user.id }, include: { analysis: true }, relationLoadStrategy: "query" })],
    ["20 photos (?ids=)", 600, () => d.media.findMany({ where: { ownerId: user.id, id: { in: polled } } })],
    ["pg: photo + analysis (row_to_json)", 600, () => pool.query(`SELECT m.*, row_to_json(a) AS analysis FROM "Media" m LEFT JOIN "Analysis" a ON a.sha256 = m."analysisSha" WHERE m.id = $1 AND m."ownerId" = $2`, [one, user.id])],
    ["pg: 20 photos", 600, () => pool.query(`SELECT * FROM "Media" WHERE "ownerId" = $1 AND id = ANY($2::uuid[])`, [user.id, polled])],
    ["view + JSON: one photo with analysis", 5000, async () => JSON.stringify(toMediaDetail(row!))],
    ["view + JSON: 20 photos", 5000, async () => JSON.stringify({ media: rows.map(toMediaView) })],
  ];
  // Cases take turns, round after round (load that comes and goes hits each alike); the
  // first round warms up (query plans, JIT); the median of the others is reported.
  const ROUNDS = 7;
  const figures = new Map<string, { cpu: number[]; wall: number[] }>(cases.map(([name]) => [name, { cpu: [], wall: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, n, fn] of cases) {
      const calls = Math.ceil(n / 3);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) await fn();
      const cpu = process.cpuUsage(cpu0);
      const wall = performance.now() - t0;
      if (round === 0) continue;
      figures.get(name)!.cpu.push((cpu.user + cpu.system) / calls);
      figures.get(name)!.wall.push((wall / calls) * 1000);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [name, f] of figures) {
    console.log(`${name.padEnd(40)} CPU ${median(f.cpu).toFixed(0).padStart(5)} µs   wall ${median(f.wall).toFixed(0).padStart(5)} µs   per call (median of ${ROUNDS - 1} rounds)`);
  }
  await pool.end();
  await d.$disconnect();
  await iso.teardown();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
