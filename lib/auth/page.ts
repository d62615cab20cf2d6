// Who is viewing a server-rendered page (pages read the cookie store, not a Request).
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { db } from "@/lib/db";
import { SESSION_COOKIE, userForToken, type SessionUser } from "./session";

export async function pageUser(): Promise<SessionUser | null> {
  const store = await cookies();
  return userForToken(db(), store.get(SESSION_COOKIE)?.value);
}

/** The signed-in user, or a redirect to the sign-in page (which comes back to `next`, if given). */
export async function requirePageUser(next?: string): Promise<SessionUser> {
  const user = await pageUser();
  if (!user) redirect(next ? `/signin?next=${encodeURIComponent(next)}` : "/signin");
  return user;
}
