// API tokens for programs: `Authorization: Bearer fc_…`. The token is 32 random bytes,
// shown once when created; the database keeps only its sha256 (a leaked table cannot be
// replayed) plus a short hint so a person can tell tokens apart. Each token carries
// scopes: "read" for GET requests, "write" for anything that changes state.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { generateWebhookSecret } from "@/lib/webhooks/standard";

export const TOKEN_PREFIX = "fc_";
export const TOKEN_SCOPES = ["read", "write"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Active tokens one person may hold; more is a sign of a script gone wrong. */
export const MAX_ACTIVE_TOKENS = 50;

export const newTokenSchema = z.object({
  name: z
    .string({ message: "Give the token a name." })
    .trim()
    .min(1, { message: "Give the token a name." })
    .max(100, { message: "Use at most 100 characters." }),
  scopes: z
    .array(z.enum(TOKEN_SCOPES, { message: 'Scopes are "read" and "write".' }))
    .min(1, { message: "Choose at least one scope." })
    .transform((s) => [...new Set(s)].sort() as TokenScope[]),
});

export interface ApiTokenView {
  id: string;
  name: string;
  hint: string;
  scopes: TokenScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

type TokenRow = { id: string; name: string; hint: string; scopes: string[]; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null };

function toView(row: TokenRow): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    hint: row.hint,
    scopes: row.scopes as TokenScope[],
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/**
 * Creates a token; the returned `token` and `webhookSecret` are the only time their values
 * exist outside the caller.
 */
export async function createApiToken(db: Db, userId: string, input: z.infer<typeof newTokenSchema>) {
  const active = await db.apiToken.count({ where: { userId, revokedAt: null } });
  if (active >= MAX_ACTIVE_TOKENS) {
    throw new ConflictError("too_many_tokens", `You already have ${MAX_ACTIVE_TOKENS} active tokens. Revoke one you no longer use first.`);
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  // Signs the completion webhooks of jobs made with this token (lib/ai-jobs/webhooks.ts);
  // like the token, shown to its owner only in this answer.
  const webhookSecret = generateWebhookSecret();
  const row = await db.apiToken.create({
    data: { userId, name: input.name, scopes: input.scopes, tokenHash: hashToken(token), hint: `${token.slice(0, 7)}…`, webhookSecret },
  });
  return { token, webhookSecret, view: toView(row) };
}

export async function listApiTokens(db: Db, userId: string): Promise<ApiTokenView[]> {
  const rows = await db.apiToken.findMany({ where: { userId }, orderBy: { createdAt: "desc" } });
  return rows.map(toView);
}

/** Revokes one of this user's tokens; someone else's id is reported as missing. */
export async function revokeApiToken(db: Db, userId: string, id: string): Promise<void> {
  if (!z.string().uuid().safeParse(id).success) throw new NotFoundError("That token");
  const { count } = await db.apiToken.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: new Date() } });
  if (count === 0 && !(await db.apiToken.findFirst({ where: { id, userId }, select: { id: true } }))) {
    throw new NotFoundError("That token");
  }
}

export interface TokenAuth {
  tokenId: string;
  scopes: TokenScope[];
  user: { id: string; email: string; isAdmin: boolean };
}

const TOUCH_EVERY_MS = 60_000;

/** The live token with this value, or null (unknown, malformed or revoked). */
export async function authenticateApiToken(db: Db, token: string): Promise<TokenAuth | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
  // Only what is checked and returned: this runs on every API request.
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, scopes: true, revokedAt: true, lastUsedAt: true, user: { select: { id: true, email: true, isAdmin: true } } },
  });
  if (!row || row.revokedAt) return null;
  const now = Date.now();
  // Written at most once a minute: "last used" is for people, not an audit log.
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return {
    tokenId: row.id,
    scopes: row.scopes as TokenScope[],
    user: { id: row.user.id, email: row.user.email, isAdmin: row.user.isAdmin },
  };
}
