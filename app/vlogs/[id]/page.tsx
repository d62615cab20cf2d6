import Link from "next/link";
import { notFound } from "next/navigation";
import { VlogWorkspace } from "@/components/vlog-workspace";
import { requirePageUser } from "@/lib/auth/page";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { vlogIdParam } from "@/lib/http/params";
import { getOwnedVlog } from "@/lib/vlogs/repository";
import { toVlogDetail } from "@/lib/vlogs/view";

export const dynamic = "force-dynamic";

async function load(userId: string, id: string) {
  try {
    return toVlogDetail(await getOwnedVlog(db(), userId, vlogIdParam(id)), env().APP_URL);
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
}

export default async function VlogPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const vlog = await load(user.id, (await params).id);
  return (
    <article className="space-y-6">
      <Link href="/vlogs" className="inline-flex min-h-11 items-center text-sm text-indigo-700 hover:underline">← All vlogs</Link>
      <VlogWorkspace initial={vlog} />
    </article>
  );
}
