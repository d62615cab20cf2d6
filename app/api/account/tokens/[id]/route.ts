// DELETE: revoke one of your API tokens; it stops working at once. Browser session only.
import { requireSessionUser } from "@/lib/auth";
import { revokeApiToken } from "@/lib/auth/tokens";
import { db } from "@/lib/db";
import { route } from "@/lib/http/route";

export const DELETE = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireSessionUser(request);
  await revokeApiToken(db(), user.id, (await params).id);
  return new Response(null, { status: 204 });
});
