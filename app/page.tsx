import { Library } from "@/components/library";
import { captionWriter } from "@/lib/ai/configured";
import { requirePageUser } from "@/lib/auth/page";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { listOwnedMedia } from "@/lib/media/repository";
import { toMediaView } from "@/lib/media/view";

export const dynamic = "force-dynamic";

/** ?shared=<id>: photos shared to the installed app (public/sw.js), waiting to be uploaded. */
const shareId = (raw: string | string[] | undefined) => {
  const id = Array.isArray(raw) ? raw[0] : raw;
  return id && /^[0-9a-f-]{36}$/.test(id) ? id : null;
};

export default async function HomePage({ searchParams }: { searchParams: Promise<{ shared?: string | string[] }> }) {
  const shared = shareId((await searchParams).shared);
  // Signed out with shared photos: sign in first, then come back for them.
  const user = await requirePageUser(shared ? `/?shared=${shared}` : undefined);
  const rows = await listOwnedMedia(db(), user.id, { limit: 120 });
  return (
    <>
      <h1 className="mb-6 text-2xl font-semibold tracking-tight">Photos</h1>
      <Library initial={rows.map(toMediaView)} resumableFrom={env().RESUMABLE_UPLOAD_THRESHOLD_BYTES} sharedId={shared} captionsBy={captionWriter(env())} />
    </>
  );
}
