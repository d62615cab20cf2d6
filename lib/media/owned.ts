// Photos as something a person owns (lib/account/owned.ts): deleted through the photos' own
// delete, counted by their originals, exported as each original and its analysis.
import type { OwnedData } from "@/lib/account/owned";
import { safeName } from "@/lib/account/owned";
import { deletePhotos } from "./delete";
import { toMediaDetail } from "./detail";
import { allOwnedMediaWithAnalysis, countOwnedMedia, ownedMediaBytes, referencedMediaKeys, someOwnedMediaIds } from "./repository";

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "image/avif": "avif",
  "image/heic": "heic",
  "image/heif": "heif",
  "image/tiff": "tiff",
};

export const ownedPhotos: OwnedData = {
  name: "photos",
  deletion: {
    count: countOwnedMedia,
    async removeSome(deps, ownerId, take) {
      const ids = await someOwnedMediaIds(deps.db, ownerId, take);
      if (ids.length === 0) return 0;
      // A cached analysis another account's photo uses stays; storyboards mark the shot removed.
      // Ids deleted meanwhile by someone else are gone all the same.
      await deletePhotos(deps, ownerId, ids);
      return ids.length;
    },
  },
  usedBytes: ownedMediaBytes,
  // Thumbnails belong to the cached analysis of the bytes (shared by identical photos).
  objects: { prefixes: ["originals/", "thumbs/"], referenced: referencedMediaKeys },
  async exportEntries(db, ownerId) {
    return (await allOwnedMediaWithAnalysis(db, ownerId)).flatMap((p) => {
      const base = `photos/${p.id.slice(0, 8)} ${safeName(p.originalName.replace(/\.[^.]*$/, ""), "photo")}`;
      return [
        { name: `${base}.${EXTENSIONS[p.mime] ?? "bin"}`, key: p.storageKey, mtime: p.createdAt },
        { name: `${base}.json`, json: { ...toMediaDetail(p), sha256: p.sha256, mime: p.mime }, mtime: p.createdAt },
      ];
    });
  },
};
