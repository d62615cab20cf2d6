// DELETE {confirm: "delete my account"}: deletes your account and everything in it. Access
// ends at once (every session and API token); a job removes the rest. Browser session only.
import { requireSessionUser } from "@/lib/auth";
import { clearedSessionCookie } from "@/lib/auth/session";
import { deleteAccountSchema } from "@/lib/account/delete-account";
import { requestAccountDeletion } from "@/lib/account/service";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const DELETE = route(async (request) => {
  const user = await requireSessionUser(request);
  await requestAccountDeletion(user, await readJson(request, deleteAccountSchema));
  return Response.json({ status: "deleting" }, { status: 202, headers: { "Set-Cookie": clearedSessionCookie() } });
});
