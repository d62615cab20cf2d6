// A show's settings: feed URL (copy, rotate), artwork, details, notifications, auto-publish.
import Link from "next/link";
import { ShowSettings } from "@/components/podcasts/show-settings";
import { requirePageUser } from "@/lib/auth/page";
import { loadShow } from "../../load";

export const dynamic = "force-dynamic";

export default async function ShowPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const show = await loadShow(user, (await params).id);
  return (
    <article className="space-y-6">
      <Link href="/podcasts" className="inline-flex min-h-11 items-center text-sm text-indigo-700 hover:underline">← Podcasts</Link>
      <ShowSettings initial={show} />
    </article>
  );
}
