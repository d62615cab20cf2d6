// GET /api/admin/overview/stream (admins only): the queue overview as SSE, pushed whenever
// it changes. All admin streams of this process share one feed (feed.ts). Served by the
// front (lib/http/front.ts) and, for a request that reaches Next, by its route.
import { sessionToken } from "@/lib/auth";
import { requireAdmin } from "@/lib/auth/admin";
import { userForToken } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { route } from "@/lib/http/route";
import { sseResponse } from "@/lib/http/sse";
import { trackSseStream } from "@/lib/metrics/web";
import { overviewFeed } from "./feed";

/** How often an open stream re-checks that its viewer is still a signed-in admin. */
const RECHECK_MS = 60_000;

export const overviewStreamRoute = route(async (request) => {
  await requireAdmin(request);
  const token = sessionToken(request);
  return sseResponse(request.signal, (channel) => {
    trackSseStream("admin", channel.onClose);
    const unsubscribe = overviewFeed().subscribe((message) => {
      if (message.type === "overview") channel.send({ event: "overview", data: message.overview });
      else channel.send({ event: "problem", data: { message: message.message } });
    });
    channel.onClose(unsubscribe);
    // Signed out or no longer an admin: the stream ends rather than keep showing the queues.
    const recheck = setInterval(async () => {
      const user = await userForToken(db(), token).catch(() => undefined);
      if (user === null || (user && !user.isAdmin)) channel.close();
    }, RECHECK_MS);
    channel.onClose(() => clearInterval(recheck));
  });
});
