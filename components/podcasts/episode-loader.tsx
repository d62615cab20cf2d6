"use client";

// Reads an episode from the API and shows its workspace.
// TODO(podcast-pipeline): the page passes the episode view from the server once it is on main.
import useSWR from "swr";
import { apiFetch, errorMessage } from "../api-fetch";
import { EpisodeWorkspace } from "./episode-workspace";
import type { EpisodeDetail } from "./types";

export function EpisodeLoader({ id }: { id: string }) {
  const { data, error } = useSWR<EpisodeDetail>(`/api/v1/episodes/${id}`, (url: string) => apiFetch(url), { revalidateOnFocus: false });
  if (error) return <p role="alert" className="text-sm text-red-700">{errorMessage(error)}</p>;
  if (!data) return <p className="text-sm text-slate-600">Loading the episode…</p>;
  return <EpisodeWorkspace initial={data} />;
}
