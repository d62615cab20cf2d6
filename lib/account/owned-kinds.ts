// Everything a person can own, in the order "delete my account" removes it: their data
// exports, then vlogs (so deleting photos has no storyboards left to mark), episodes before
// their shows, photos last. The data export writes them in this order too.
import { ownedAiJobs } from "@/lib/ai-jobs/owned";
import { ownedPhotos } from "@/lib/media/owned";
import { ownedEpisodes, ownedShows } from "@/lib/podcasts/owned";
import { removeObjects } from "@/lib/storage/remove";
import { ownedVlogs } from "@/lib/vlogs/owned";
import { countOwnedExports, deleteExportRow, referencedExportKeys, someOwnedExports } from "./exports";
import { oneByOne, type OwnedData } from "./owned";

/** The person's own data exports (the account's table): ZIPs made for them. */
const ownedExports: OwnedData = {
  name: "exports",
  deletion: {
    count: countOwnedExports,
    removeSome: oneByOne(someOwnedExports, async ({ db, storage }, e) => {
      await deleteExportRow(db, e.id);
      if (e.storageKey) await removeObjects(storage, [e.storageKey]);
    }),
  },
  objects: { prefixes: ["exports/"], referenced: referencedExportKeys },
};

export const OWNED: readonly OwnedData[] = [ownedExports, ownedVlogs, ownedEpisodes, ownedShows, ownedPhotos, ownedAiJobs];
