// GET: readiness — 200 when Postgres, Redis (with maxmemory-policy noeviction) and storage
// all answer; otherwise 503 naming the ones that failed and why.
import { db } from "@/lib/db";
import { checkReadiness, type RedisProbe } from "@/lib/health/readiness";
import { route } from "@/lib/http/route";
import { getQueue, queueNames } from "@/lib/jobs";
import { log } from "@/lib/log";
import { storage } from "@/lib/storage/instance";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(
  async () => {
    const result = await checkReadiness({
      postgres: () => db().$queryRaw`SELECT 1`,
      // The queue's own connection: the one enqueueing depends on.
      redis: async () => (await getQueue(queueNames[0]).getBackend().client) as unknown as RedisProbe,
      storage: () => storage().ping(),
    });
    if (!result.ready) log().warn({ failed: result.failed, checks: result.checks }, "not ready");
    return Response.json(
      { status: result.ready ? "ready" : "not ready", failed: result.failed, checks: result.checks },
      { status: result.ready ? 200 : 503, headers: { "Cache-Control": "no-store", ...(result.ready ? {} : { "Retry-After": "5" }) } },
    );
  },
  { quiet: true },
);
