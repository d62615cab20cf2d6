// POST: create an API token ({name, scopes}); the answer holds the token and its webhook
// signing secret, each shown only this once.
// Browser session only: an API token cannot mint more tokens.
import { requireSessionUser } from "@/lib/auth";
import { createApiToken, newTokenSchema } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const POST = route(async (request) => {
  const user = await requireSessionUser(request);
  const input = await readJson(request, newTokenSchema);
  const { token, webhookSecret, view } = await createApiToken(db(), user.id, input);
  return Response.json({ token, webhookSecret, apiToken: view }, { status: 201, headers: { "Cache-Control": "no-store" } });
});
