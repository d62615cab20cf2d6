// Bull Board at /admin/queues — its page, JSON API and static files — for admins only:
// anonymous → the sign-in page (and back), signed in but not an admin → 403.
import { bullBoard } from "@/lib/admin/bull-board";
import { currentUser } from "@/lib/auth";
import { signInPath } from "@/lib/auth/admin";
import { route } from "@/lib/http/route";
import { BULL_BOARD_CSP } from "@/lib/security/headers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = route(
  async (request) => {
    const url = new URL(request.url);
    const user = await currentUser(request);
    if (!user) {
      return new Response(null, { status: 303, headers: { Location: signInPath(url.pathname), "Cache-Control": "no-store" } });
    }
    if (!user.isAdmin) return forbidden(url.pathname);
    return bullBoard()(request);
  },
  { quiet: true, csp: BULL_BOARD_CSP },
);

function forbidden(path: string): Response {
  const message = "Only admins can see the queue dashboard.";
  if (path.startsWith("/admin/queues/api/")) {
    return Response.json({ error: { message, code: "forbidden" } }, { status: 403 });
  }
  return new Response(
    `<!doctype html><meta charset="utf-8"><title>Admins only · Framecast</title>` +
      `<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;text-align:center">` +
      `<h1>Admins only</h1><p>${message}</p><p><a href="/">Back to your library</a></p></body>`,
    { status: 403, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } },
  );
}

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
