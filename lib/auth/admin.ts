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
  // Browsers drop tabs and newlines from a URL and read "\\" as "/", so "/\t/evil.example"
  // or "/\\evil.example" would become "//evil.example", another site: no control
  // characters or backslashes at all, and no second slash at the start.
  if (!next || !next.startsWith("/") || next.startsWith("//") || hasControlOrBackslash(next)) return "/";
  return next.slice(0, 500);
}

const hasControlOrBackslash = (text: string) => [...text].some((c) => c === "\\" || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
