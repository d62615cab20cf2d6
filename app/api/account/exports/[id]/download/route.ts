// GET: the ZIP of one of your exports, while it is ready and not expired (24 h). Browser session only.
import { requireSessionUser } from "@/lib/auth";
import { downloadableExport } from "@/lib/account/service";
import { fileResponse } from "@/lib/http/files";
import { uuidParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { storage } from "@/lib/storage/instance";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireSessionUser(request);
  const row = await downloadableExport(user, uuidParam((await params).id, "That export"));
  const day = row.readyAt!.toISOString().slice(0, 10);
  return fileResponse(request, storage(), row.storageKey, { contentType: "application/zip", download: `framecast-data-${day}.zip`, cacheControl: "private, no-store" });
});
