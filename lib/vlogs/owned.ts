// Vlogs as something a person owns (lib/account/owned.ts): a vlog goes with its run and every
// file under its folder (videos, posters), counts by its rendered video, and is exported as
// the video and its storyboard.
import type { OwnedData } from "@/lib/account/owned";
import { isUuid, oneByOne, safeName, segment } from "@/lib/account/owned";
import { removePrefix } from "@/lib/storage/remove";
import { allOwnedVlogs, countOwnedVlogs, deleteVlogRow, ownedVlogBytes, someOwnedVlogsToDelete, vlogsFilesOf, vlogStoragePrefix } from "./repository";
import { toVlogView } from "./view";

export const ownedVlogs: OwnedData = {
  name: "vlogs",
  deletion: {
    count: countOwnedVlogs,
    removeSome: oneByOne(someOwnedVlogsToDelete, async ({ db, storage }, v) => {
      await deleteVlogRow(db, v);
      await removePrefix(storage, vlogStoragePrefix(v.id));
    }),
  },
  usedBytes: ownedVlogBytes,
  async exportEntries(db, ownerId) {
    return (await allOwnedVlogs(db, ownerId)).flatMap((v) => {
      const view = toVlogView(v);
      const base = `vlogs/${v.id.slice(0, 8)} ${safeName(view.title, "vlog")}`;
      const record = { title: view.title, style: v.style, resolution: v.resolution, status: view.status, storyboard: v.storyboard, photoIds: v.mediaIds, durationSec: v.durationSec, createdAt: v.createdAt };
      return [
        ...(v.videoKey ? [{ name: `${base}.mp4`, key: v.videoKey, mtime: v.updatedAt }] : []),
        { name: `${base}.json`, json: record, mtime: v.updatedAt },
      ];
    });
  },
  objects: {
    prefixes: ["vlogs/"],
    // vlogs/<vlogId>/g<generation>/…: the current video and poster; while the run can still
    // render (not completed), everything of its current generation (clips a retry reuses).
    async referenced(db, keys) {
      const ids = [...new Set(keys.map((k) => segment(k, 1)))].filter(isUuid);
      const vlogs = new Map((await vlogsFilesOf(db, ids)).map((v) => [v.id, v]));
      return keys.filter((key) => {
        const vlog = vlogs.get(segment(key, 1) ?? "");
        if (!vlog) return false;
        if (key === vlog.videoKey || key === vlog.posterKey) return true;
        return segment(key, 2) === `g${vlog.run.generation}` && vlog.run.status !== "completed";
      });
    },
  },
};
