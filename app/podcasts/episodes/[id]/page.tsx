// An episode: live progress, the review form, the player with chapters and transcript, publish state.
import Link from "next/link";
import { EpisodeWorkspace } from "@/components/podcasts/episode-workspace";
import { requirePageUser } from "@/lib/auth/page";
import { loadEpisode } from "../../load";

export const dynamic = "force-dynamic";

export default async function EpisodePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const episode = await loadEpisode(user, (await params).id);
  return (
    <article className="space-y-6">
      <Link href="/podcasts" className="inline-flex min-h-11 items-center text-sm text-indigo-700 hover:underline">← Podcasts</Link>
      <EpisodeWorkspace initial={episode} />
    </article>
  );
}
