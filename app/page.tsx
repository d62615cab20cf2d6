import { Library } from "@/components/library";
import { requirePageUser } from "@/lib/auth/page";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { listOwnedMedia } from "@/lib/media/repository";
import { toMediaView } from "@/lib/media/view";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const user = await requirePageUser();
  const rows = await listOwnedMedia(db(), user.id, { limit: 120 });
  return (
    <>
      <h1 className="mb-6 text-2xl font-semibold tracking-tight">Photos</h1>
      <Library initial={rows.map(toMediaView)} resumableFrom={env().RESUMABLE_UPLOAD_THRESHOLD_BYTES} />
    </>
  );
}
