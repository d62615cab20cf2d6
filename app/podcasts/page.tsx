// Podcasts: your shows (the first is made on first visit), the audio drop zone and your episodes.
import { PodcastsHome } from "@/components/podcasts/podcasts-home";
import { requirePageUser } from "@/lib/auth/page";
import { env } from "@/lib/env";
import { loadPodcasts } from "./load";

export const dynamic = "force-dynamic";

export default async function PodcastsPage() {
  const user = await requirePageUser();
  const { shows, episodes } = await loadPodcasts(user);
  return (
    <>
      <h1 className="mb-6 text-2xl font-semibold tracking-tight">Podcasts</h1>
      <PodcastsHome initialShows={shows} initialEpisodes={episodes} resumableFrom={env().RESUMABLE_UPLOAD_THRESHOLD_BYTES} />
    </>
  );
}
