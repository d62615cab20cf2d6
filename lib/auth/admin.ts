// Admin-only access. Route handlers: anonymous → 401, signed in but not admin → 403.
// Pages: anonymous → the sign-in page (then back here), not admin → the 403 page.
import { forbidden as forbiddenPage, redirect } from "next/navigation";
import { forbidden } from "@/lib/http/errors";
import { requireSessionUser, type SessionUser } from "./index";
import { pageUser } from "./page";

/** An admin's browser session (API tokens are for /api/v1 and never grant admin powers). */
export async function requireAdmin(request: Request): Promise<SessionUser> {
  const user = await requireSessionUser(request);
  if (!user.isAdmin) throw forbidden("Only admins can see the operations console.");
  return user;
}

export async function requireAdminPage(path: string): Promise<SessionUser> {
  const user = await pageUser();
  if (!user) redirect(signInPath(path));
  if (!user.isAdmin) forbiddenPage();
  return user;
}

/** The sign-in page, returning to `path` afterwards. */
export function signInPath(path: string): string {
  return `/signin?next=${encodeURIComponent(path)}`;
}

/** A `next` value safe to redirect to after sign-in: a path on this site, nothing else. */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next.slice(0, 500);
}
