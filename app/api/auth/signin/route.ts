// POST: sign in with email and password; starts a fresh session. Throttled per client
// address and per account (429 with Retry-After).
import { createSession, revokeSession, sessionCookie } from "@/lib/auth/session";
import { credentialsSchema } from "@/lib/auth/accounts";
import { throttledSignIn } from "@/lib/auth/throttle";
import { sessionToken } from "@/lib/auth";
import { db } from "@/lib/db";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";

export const POST = route(async (request) => {
  const input = await readJson(request, credentialsSchema);
  const user = await throttledSignIn(db(), request, input);
  // A new token on every sign-in: a session id planted before sign-in is worthless.
  await revokeSession(db(), sessionToken(request));
  const { token, expiresAt } = await createSession(db(), user.id, request.headers.get("user-agent"));
  return Response.json(
    { user: { id: user.id, email: user.email, isAdmin: user.isAdmin } },
    { headers: { "Set-Cookie": sessionCookie(token, expiresAt) } },
  );
});
