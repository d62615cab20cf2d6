// Who is asking. Route handlers pass the Request; server components use the cookie store.
// /api/v1 routes accept a browser session or an API token (`Authorization: Bearer fc_…`);
// account management (tokens, sessions) takes a browser session only.
import { db } from "@/lib/db";
import { forbidden, HttpError, unauthorised } from "@/lib/http/errors";
import { SESSION_COOKIE, readCookie, userForToken, type SessionUser } from "./session";
import { authenticateApiToken, type TokenScope } from "./tokens";

export type { SessionUser } from "./session";
export type { TokenScope } from "./tokens";

export function sessionToken(request: Request): string | undefined {
  return readCookie(request.headers.get("cookie"), SESSION_COOKIE);
}

/** The browser session's user (cookie only; an Authorization header is not looked at). */
export async function currentUser(request: Request): Promise<SessionUser | null> {
  return userForToken(db(), sessionToken(request));
}

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The scope a request needs: reading for GET/HEAD, writing for anything else. */
export function scopeFor(request: Request): TokenScope {
  return READ_METHODS.has(request.method.toUpperCase()) ? "read" : "write";
}

const badToken = () =>
  new HttpError(401, "That API token is not valid, or it has been revoked.", "invalid_token");

/**
 * The signed-in user, from an API token when the request carries `Authorization`,
 * otherwise from the session cookie; 401 if neither. A token must hold `scope` (by
 * default the one the method needs) or the answer is 403.
 */
export async function requireUser(request: Request, scope: TokenScope = scopeFor(request)): Promise<SessionUser> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw badToken();
    const auth = await authenticateApiToken(db(), match[1]);
    if (!auth) throw badToken();
    if (!auth.scopes.includes(scope)) {
      throw forbidden(
        `This API token has no "${scope}" scope, so it cannot ${scope === "write" ? "change anything" : "read anything"}. Create a token with that scope.`,
        "insufficient_scope",
      );
    }
    return { ...auth.user, sessionId: null, tokenId: auth.tokenId };
  }
  const user = await currentUser(request);
  if (!user) throw unauthorised();
  return user;
}

/**
 * A browser session's user, for managing the account and for the admin console. API
 * tokens are refused, so a leaked token cannot mint more tokens, end the owner's
 * sessions, or act as an admin.
 */
export async function requireSessionUser(request: Request): Promise<SessionUser> {
  if (request.headers.get("authorization") !== null) {
    throw forbidden("API tokens only work on /api/v1. Sign in with a browser to do this.", "session_required");
  }
  const user = await currentUser(request);
  if (!user) throw unauthorised();
  return user;
}
