// Who is asking. Route handlers pass the Request; server components use the cookie store.
import { db } from "@/lib/db";
import { unauthorised } from "@/lib/http/errors";
import { SESSION_COOKIE, readCookie, userForToken, type SessionUser } from "./session";

export type { SessionUser } from "./session";

export function sessionToken(request: Request): string | undefined {
  return readCookie(request.headers.get("cookie"), SESSION_COOKIE);
}

export async function currentUser(request: Request): Promise<SessionUser | null> {
  return userForToken(db(), sessionToken(request));
}

export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await currentUser(request);
  if (!user) throw unauthorised();
  return user;
}
