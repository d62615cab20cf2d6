// One AI job: status (live while it runs), Cancel / Retry, the rendered result, error,
// provider and cost, webhook deliveries and the payload. Someone else's job is "Not found".
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { JobDetail, type DeliveryView } from "@/components/jobs/job-detail";
import { trimForDisplay, typeLabel } from "@/components/jobs/job-format";
import { getOwnedJob, listDeliveries } from "@/lib/ai-jobs/repository";
import { toJobView } from "@/lib/ai-jobs/view";
import { requirePageUser } from "@/lib/auth/page";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";

export const dynamic = "force-dynamic";

async function load(userId: string, id: string) {
  if (!z.uuid().safeParse(id).success) notFound();
  try {
    return await getOwnedJob(db(), userId, id);
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: `Job ${(await params).id.slice(0, 8)} · Framecast` };
}

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const row = await load(user.id, (await params).id);
  const deliveries: DeliveryView[] = row.webhookUrl
    ? (await listDeliveries(db(), row.id)).map((d) => ({
        id: d.id,
        attempt: d.attempt,
        status: d.status,
        ok: d.ok,
        error: d.error,
        durationMs: d.durationMs,
        createdAt: d.createdAt.toISOString(),
      }))
    : [];
  const view = toJobView(row);
  return (
    <article className="space-y-6" aria-label={`${typeLabel(view.type)} job`}>
      <Link href="/jobs" className="inline-flex min-h-11 items-center text-sm text-indigo-700 hover:underline">← All jobs</Link>
      <JobDetail initial={view} payload={trimForDisplay(row.payload)} deliveries={deliveries} />
    </article>
  );
}
