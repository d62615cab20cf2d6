"use client";

// The podcasts page: your shows (each with its feed URL and settings), the drop zone for
// new recordings, and your episodes newest first with live progress. With no episodes yet
// it explains the flow: upload → review → publish → subscribe.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import useSWR from "swr";
import { apiFetch, ApiError, errorMessage } from "../api-fetch";
import { CopyButton } from "../copy-button";
import { AudioUploader } from "./audio-uploader";
import { EpisodeList } from "./episode-list";
import type { EpisodeView, ShowView } from "./types";

const EPISODES_URL = "/api/v1/episodes?limit=100";

export function PodcastsHome({ initialShows, initialEpisodes, resumableFrom }: { initialShows?: ShowView[]; initialEpisodes?: EpisodeView[]; resumableFrom?: number }) {
  const shows = useSWR<{ shows: ShowView[] }>("/api/v1/shows", (url: string) => apiFetch(url), {
    fallbackData: initialShows ? { shows: initialShows } : undefined,
    revalidateOnMount: !initialShows,
  });
  const episodes = useSWR<{ episodes: EpisodeView[] }>(EPISODES_URL, (url: string) => apiFetch(url), {
    fallbackData: initialEpisodes ? { episodes: initialEpisodes } : undefined,
    revalidateOnMount: !initialEpisodes,
  });
  const showList = shows.data?.shows ?? [];
  const [uploadTo, setUploadTo] = useState<string | null>(null);
  const target = showList.find((s) => s.id === uploadTo) ?? showList[0];
  // Live updates are kept beside the fetched list rather than written into SWR's cache: SWR
  // discards a refetch that a local mutation overtook, so while one episode streams its
  // progress, the refetch that brings a second upload's episode would be dropped.
  const [live, setLive] = useState<Record<string, EpisodeView>>({});
  const list = (episodes.data?.episodes ?? []).map((e) => {
    const update = live[e.id];
    return update && update.version >= e.version ? update : e;
  });
  const onUpdate = (update: EpisodeView) =>
    setLive((seen) => ((seen[update.id]?.version ?? -1) >= update.version ? seen : { ...seen, [update.id]: update }));

  return (
    <div className="space-y-10">
      <section aria-labelledby="shows-heading" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="shows-heading" className="text-lg font-semibold">{showList.length === 1 ? "Your show" : "Your shows"}</h2>
          {showList.length > 0 && <NewShow template={showList[0]} />}
        </div>
        {shows.error && <p role="alert" className="text-sm text-red-700">{errorMessage(shows.error)}</p>}
        {!shows.data && !shows.error && <p className="text-sm text-slate-600">Loading your shows…</p>}
        <ul className="grid gap-3 md:grid-cols-2">
          {showList.map((show) => (
            <li key={show.id} data-testid="show-card" className="flex gap-3 rounded-xl border border-slate-200 bg-white p-3">
              <Artwork url={show.artworkUrl} className="h-20 w-20" />
              <div className="min-w-0 flex-1 space-y-2">
                <div className="flex flex-wrap items-baseline justify-between gap-x-3">
                  <h3 className="min-w-0 truncate font-medium">{show.title}</h3>
                  <Link href={`/podcasts/shows/${show.id}`} aria-label={`Settings of ${show.title}`}
                    className="-my-2 inline-flex min-h-11 items-center text-sm font-medium text-indigo-700 hover:underline">
                    Settings
                  </Link>
                </div>
                <div className="flex flex-wrap items-center gap-2">
                  <CopyButton text={show.feedUrl} label="Copy feed URL" what="Feed URL" />
                </div>
              </div>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="new-episodes-heading" className="space-y-3">
        <h2 id="new-episodes-heading" className="text-lg font-semibold">New episodes</h2>
        {showList.length > 1 && (
          <div className="flex flex-wrap items-center gap-2">
            <label htmlFor="upload-to" className="text-sm font-medium">Upload to</label>
            <select id="upload-to" value={target?.id} onChange={(e) => setUploadTo(e.target.value)}
              className="min-h-11 min-w-0 max-w-full rounded-md border border-slate-300 bg-white px-3 text-sm">
              {showList.map((s) => <option key={s.id} value={s.id}>{s.title}</option>)}
            </select>
          </div>
        )}
        <AudioUploader showId={target?.id} onChange={() => void episodes.mutate()} resumableFrom={resumableFrom} />
      </section>

      <section aria-labelledby="episodes-heading" className="space-y-3">
        <h2 id="episodes-heading" className="text-lg font-semibold">Episodes</h2>
        {episodes.error && <p role="alert" className="text-sm text-red-700">{errorMessage(episodes.error)}</p>}
        {episodes.data && list.length === 0 ? (
          <HowItWorks />
        ) : (
          list.length > 0 && (
            <EpisodeList episodes={list} onUpdate={onUpdate}
              showTitles={showList.length > 1 ? Object.fromEntries(showList.map((s) => [s.id, s.title])) : null} />
          )
        )}
      </section>
    </div>
  );
}

function HowItWorks() {
  const steps = [
    ["Upload", "Drop a recording above. Each file is analysed on its own: length, loudness, a title, summary, chapters and, where a speech recogniser is available, a transcript."],
    ["Review", "Open the episode when it says “Ready for review”. Correct the title, notes and chapters: nothing is public yet."],
    ["Publish", "Press Publish. The audio is levelled to podcast loudness, encoded as MP3 and added to your show’s feed."],
    ["Subscribe", "Copy your show’s feed URL into Apple Podcasts, Pocket Casts, Overcast or any podcast app."],
  ];
  return (
    <div className="rounded-xl border border-slate-200 bg-white px-4 py-6 sm:px-6" data-testid="podcasts-empty">
      <p className="font-medium text-slate-800">No episodes yet. Here is how it works:</p>
      <ol className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {steps.map(([name, text], i) => (
          <li key={name} className="space-y-1">
            <p className="font-medium"><span aria-hidden="true" className="mr-2 inline-flex h-6 w-6 items-center justify-center rounded-full bg-indigo-600 text-xs text-white">{i + 1}</span>{name}</p>
            <p className="text-sm text-slate-600">{text}</p>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function Artwork({ url, className }: { url: string | null; className: string }) {
  return url ? (
    // eslint-disable-next-line @next/next/no-img-element
    <img src={url} alt="" className={`shrink-0 rounded-lg bg-slate-100 object-cover ${className}`} />
  ) : (
    <div aria-hidden="true" className={`flex shrink-0 items-center justify-center rounded-lg bg-gradient-to-br from-indigo-500 to-violet-600 text-2xl text-white ${className}`}>
      ♪
    </div>
  );
}

/** "New show": asks for a title, copies the people fields from your first show, opens its settings. */
function NewShow({ template }: { template: ShowView }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const show = await apiFetch<ShowView>("/api/v1/shows", {
        json: { title, author: template.author, ownerName: template.ownerName, ownerEmail: template.ownerEmail, language: template.language, category: template.category },
      });
      router.push(`/podcasts/shows/${show.id}`);
    } catch (err) {
      setError(err instanceof ApiError && err.fields.title ? err.fields.title : errorMessage(err));
      setBusy(false);
    }
  }

  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}
        className="min-h-11 rounded-md border border-slate-300 bg-white px-3 text-sm font-medium hover:bg-slate-100">
        New show
      </button>
    );
  return (
    <form onSubmit={create} className="flex w-full flex-wrap items-end gap-2 rounded-xl border border-slate-200 bg-white p-3 sm:w-auto">
      <div className="min-w-0 flex-1 space-y-1">
        <label htmlFor="new-show-title" className="block text-sm font-medium">Title of the new show</label>
        <input id="new-show-title" required autoFocus value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200}
          aria-invalid={Boolean(error)} aria-describedby={error ? "new-show-error" : undefined}
          className="min-h-11 w-full rounded-md border border-slate-300 px-3" />
      </div>
      <button type="submit" disabled={busy} className="min-h-11 rounded-md bg-indigo-600 px-4 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
        {busy ? "Creating…" : "Create"}
      </button>
      <button type="button" onClick={() => setOpen(false)} className="min-h-11 rounded-md border border-slate-300 px-3 text-sm hover:bg-slate-100">
        Cancel
      </button>
      {error && <p id="new-show-error" role="alert" className="w-full text-sm text-red-700">{error}</p>}
    </form>
  );
}
