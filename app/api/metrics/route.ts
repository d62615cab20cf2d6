// GET: this web process's metrics in Prometheus text format, plus queue-wide numbers read
// from Redis. Needs `Authorization: Bearer <METRICS_TOKEN>`; 404 when no token is set.
import { env } from "@/lib/env";
import { HttpError } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import { METRICS_DENIED_MESSAGE, METRICS_DISABLED_MESSAGE, metricsAccess } from "@/lib/metrics/auth";
import { metricsRegistry } from "@/lib/metrics/registry";
import { webMetrics } from "@/lib/metrics/web";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(
  async (request) => {
    const access = metricsAccess(request.headers.get("authorization"), env().METRICS_TOKEN);
    if (access === "disabled") throw new HttpError(404, METRICS_DISABLED_MESSAGE, "metrics_disabled");
    if (access === "denied") {
      return Response.json(
        { error: { message: METRICS_DENIED_MESSAGE, code: "unauthenticated" } },
        { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } },
      );
    }
    webMetrics(); // registers the web metrics if nothing has touched them yet
    const registry = metricsRegistry();
    return new Response(await registry.metrics(), {
      headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
    });
  },
  { quiet: true },
);
