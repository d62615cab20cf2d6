// POST: create an account and sign it in.
import { credentialsSchema, signUp } from "@/lib/auth/accounts";
import { createSession, sessionCookie } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/errors";

export const POST = route(async (request) => {
  const input = await readJson(request, credentialsSchema);
  const user = await signUp(db(), input);
  const { token, expiresAt } = await createSession(db(), user.id, request.headers.get("user-agent"));
  return Response.json(
    { user: { id: user.id, email: user.email, isAdmin: user.isAdmin } },
    { status: 201, headers: { "Set-Cookie": sessionCookie(token, expiresAt) } },
  );
});
