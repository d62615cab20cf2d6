import { route } from "@/lib/http/route";
// GET: liveness — the process is up and its event loop answers. Touches no service, so a
// database or Redis outage never gets a healthy web process restarted (see /api/ready).

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(
  async () =>
    Response.json(
      { status: "ok", uptimeSeconds: Math.round(process.uptime()) },
      { headers: { "Cache-Control": "no-store" } },
    ),
  { quiet: true },
);
