// POST: create an account and sign it in. Throttled per client address (429 with Retry-After).
import { credentialsSchema } from "@/lib/auth/accounts";
import { createSession, revokeSession, sessionCookie } from "@/lib/auth/session";
import { throttledSignUp } from "@/lib/auth/throttle";
import { sessionToken } from "@/lib/auth";
import { db } from "@/lib/db";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";

export const POST = route(async (request) => {
  const input = await readJson(request, credentialsSchema);
  const user = await throttledSignUp(db(), request, input);
  // Like sign-in: whatever session this browser had before ends, and a new one starts.
  await revokeSession(db(), sessionToken(request));
  const { token, expiresAt } = await createSession(db(), user.id, request.headers.get("user-agent"));
  return Response.json(
    { user: { id: user.id, email: user.email, isAdmin: user.isAdmin } },
    { status: 201, headers: { "Set-Cookie": sessionCookie(token, expiresAt) } },
  );
});
