// POST: end this browser's session.
import { sessionToken } from "@/lib/auth";
import { clearedSessionCookie, revokeSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { route } from "@/lib/http/route";

export const POST = route(async (request) => {
  await revokeSession(db(), sessionToken(request));
  return new Response(null, { status: 204, headers: { "Set-Cookie": clearedSessionCookie() } });
});
