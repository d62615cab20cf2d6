// GET (admins only): a workflow run with every step's input, output, checkpoint and full
// attempt history (retries, interruptions, errors, timings).
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { HttpError, notFound, route } from "@/lib/http/errors";
import { z } from "zod";
import { getRunHistory } from "@/lib/workflow/repository";

export const dynamic = "force-dynamic";

export const GET = route<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = await requireUser(request);
  if (!user.isAdmin) throw new HttpError(403, "Only admins can see workflow internals.", { code: "forbidden" });
  const { id } = await params;
  if (!z.string().uuid().safeParse(id).success) throw notFound("That workflow run");
  const run = await getRunHistory(db(), id);
  if (!run) throw notFound("That workflow run");
  return Response.json({ run });
});
