"use client";

// The photo library: the uploader on top, a grid of your photos below. The grid is
// refreshed whenever an upload is accepted or finishes.
import Link from "next/link";
import useSWR from "swr";
import type { MediaView } from "@/lib/media/view";
import { Uploader } from "./uploader";

const fetchJson = (url: string) => fetch(url).then((r) => r.json());

export function Library({ initial }: { initial: MediaView[] }) {
  const { data, mutate } = useSWR<{ media: MediaView[] }>("/api/v1/media?limit=120", fetchJson, {
    fallbackData: { media: initial },
    revalidateOnMount: false,
  });
  const media = data?.media ?? [];

  return (
    <div className="space-y-10">
      <Uploader onChange={() => mutate()} />
      <section aria-labelledby="library-heading">
        <h2 id="library-heading" className="mb-4 text-lg font-semibold">Your library</h2>
        {media.length === 0 ? (
          <p className="rounded-xl border border-slate-200 bg-white px-6 py-10 text-center text-slate-500">
            No photos yet. Drop some above and they will appear here once analysed.
          </p>
        ) : (
          <ul className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5">
            {media.map((m) => (
              <li key={m.id}>
                <Link href={`/media/${m.id}`}
                  className="group block overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm hover:shadow-md">
                  <div className="flex aspect-square items-center justify-center bg-slate-100">
                    {m.thumbnailUrl ? (
                      // eslint-disable-next-line @next/next/no-img-element
                      <img src={m.thumbnailUrl} alt={m.name} loading="lazy" className="h-full w-full object-cover" />
                    ) : (
                      <span className={`px-2 text-center text-xs ${m.status === "failed" ? "text-red-700" : "text-slate-500"}`}>
                        {m.status === "failed" ? "Analysis failed" : m.stageLabel ?? "Waiting…"}
                      </span>
                    )}
                  </div>
                  <p className="truncate px-2 py-1.5 text-xs text-slate-700">{m.name}</p>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
