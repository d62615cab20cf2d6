// DELETE: sign out everywhere: ends every browser session of this account, this one too.
import { requireSessionUser } from "@/lib/auth";
import { clearedSessionCookie, revokeAllSessions } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { route } from "@/lib/http/route";

export const DELETE = route(async (request) => {
  const user = await requireSessionUser(request);
  await revokeAllSessions(db(), user.id);
  return new Response(null, { status: 204, headers: { "Set-Cookie": clearedSessionCookie() } });
});
