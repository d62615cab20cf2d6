// GET (admins only): a workflow run with every step's input, output, checkpoint and full
// attempt history (retries, interruptions, errors, timings).
import { z } from "zod";
import { requireAdmin } from "@/lib/auth/admin";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { getRunHistory } from "@/lib/workflow/repository";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  await requireAdmin(request);
  const { id } = await params;
  if (!z.string().uuid().safeParse(id).success) throw new NotFoundError("That workflow run");
  const run = await getRunHistory(db(), id);
  if (!run) throw new NotFoundError("That workflow run");
  return Response.json({ run }, { headers: { "Cache-Control": "no-store" } });
});
