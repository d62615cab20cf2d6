// The two things uploaded resumably (lib/http/resumable.ts): photos for the library and
// recordings for episodes. Each takes the multipart route's own policy and hands the file
// to the same domain function, so both transports accept, store and queue alike.
import { env } from "@/lib/env";
import { acceptUpload, uploadPolicy } from "@/lib/media/service";
import { audioUploadPolicy } from "@/lib/podcasts/audio-upload";
import { acceptAudio, showForUpload } from "@/lib/podcasts/episodes";
import type { ResumableKind } from "./resumable";

/** Photos: POST /api/v1/media/uploads; the outcome is { media, rejected } as from POST /api/v1/media. */
export const photoUploads: ResumableKind<unknown> = {
  name: "media",
  path: "/api/v1/media/uploads",
  policy: () => uploadPolicy(env()),
  fields: [],
  keep: async (user, upload) => {
    const { media } = await acceptUpload(user, upload);
    return { media, rejected: [] };
  },
};

/**
 * Recordings: POST /api/v1/episodes/uploads (metadata showId optional, checked at creation);
 * the outcome is { episodeId, status, episodes, rejected } as from POST /api/v1/episodes.
 */
export const audioUploads: ResumableKind<unknown> = {
  name: "episodes",
  path: "/api/v1/episodes/uploads",
  policy: () => audioUploadPolicy(env()),
  fields: ["showId"],
  prepare: async (user, fields) => {
    if (fields.showId) await showForUpload(user, fields.showId);
  },
  keep: async (user, upload) => {
    const show = await showForUpload(user, upload.fields.showId || null);
    const episodes = await acceptAudio(user, show, upload.accepted);
    return { ...episodes[0], episodes, rejected: [] };
  },
};
