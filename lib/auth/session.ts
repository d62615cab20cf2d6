// Sessions: the browser holds a random token in an httpOnly cookie; the database holds
// only its sha256, so a leaked table cannot be replayed. Deleting a row signs that
// browser out (through revokeSession / revokeAllSessions, which also clear the
// process's session cache, lib/auth/session-cache.ts).
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import { forgetSession, forgetUserSessions, generation, recall, remember, touched, type CachedSession } from "./session-cache";

export const SESSION_COOKIE = "fc_session";

/** Who is asking: a browser session or, on /api/v1, an API token. */
export interface SessionUser {
  id: string;
  email: string;
  isAdmin: boolean;
  /** Set for a browser session (the sha256 of its cookie); null for an API token. */
  sessionId: string | null;
  /** Set when the request carried an API token. */
  tokenId?: string;
}

const TOUCH_EVERY_MS = 5 * 60_000;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export async function createSession(db: Db, userId: string, userAgent?: string | null) {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + env().SESSION_DAYS * 86_400_000);
  await db.session.create({
    data: { id: hashToken(token), userId, expiresAt, userAgent: userAgent?.slice(0, 300) ?? null },
  });
  return { token, expiresAt };
}

export async function userForToken(db: Db, token: string | undefined): Promise<SessionUser | null> {
  if (!token || token.length > 100) return null;
  const id = hashToken(token);
  const now = new Date();
  let session: Omit<CachedSession, "freshUntil"> | undefined = recall(id, now.getTime());
  if (!session) {
    const readSince = generation();
    const row = await db.session.findUnique({
      where: { id },
      select: { expiresAt: true, lastSeenAt: true, user: { select: { id: true, email: true, isAdmin: true } } },
    });
    if (!row || row.expiresAt < now) return null;
    const user = { id: row.user.id, email: row.user.email, isAdmin: row.user.isAdmin, sessionId: id };
    session = { user, expiresAt: row.expiresAt, lastSeenAt: row.lastSeenAt };
    remember(id, session, readSince, now.getTime());
  }
  // "Last active" for the sessions list; written at most every few minutes.
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db.session.updateMany({ where: { id }, data: { lastSeenAt: now } });
    touched(id, now);
  }
  return { ...session.user };
}

export async function revokeSession(db: Db, token: string | undefined): Promise<void> {
  if (!token) return;
  const id = hashToken(token);
  forgetSession(id);
  await db.session.deleteMany({ where: { id } });
  forgetSession(id); // again: for a request that read the row while the DELETE ran
}

/** Signs this user out everywhere: every browser session ends (API tokens are separate). */
export async function revokeAllSessions(db: Db, userId: string): Promise<number> {
  forgetUserSessions(userId);
  const { count } = await db.session.deleteMany({ where: { userId } });
  forgetUserSessions(userId); // again, as above
  return count;
}

export interface SessionView {
  current: boolean;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
}

/** This user's live sessions, newest activity first; ids (token hashes) stay on the server. */
export async function listSessions(db: Db, userId: string, currentSessionId: string | null): Promise<SessionView[]> {
  const rows = await db.session.findMany({
    where: { userId, expiresAt: { gt: new Date() } },
    orderBy: { lastSeenAt: "desc" },
  });
  // This browser first, then the most recently active.
  rows.sort((a, b) => Number(b.id === currentSessionId) - Number(a.id === currentSessionId));
  return rows.map((r) => ({
    current: r.id === currentSessionId,
    userAgent: r.userAgent,
    createdAt: r.createdAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
  }));
}

export function sessionCookie(token: string, expiresAt: Date): string {
  const secure = env().APP_URL.startsWith("https:") ? "; Secure" : "";
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
