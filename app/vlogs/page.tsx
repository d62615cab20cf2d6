import Link from "next/link";
import { VlogList } from "@/components/vlog-list";
import { requirePageUser } from "@/lib/auth/page";
import { db } from "@/lib/db";
import { listOwnedVlogs } from "@/lib/vlogs/repository";
import { toVlogView } from "@/lib/vlogs/view";

export const dynamic = "force-dynamic";

export default async function VlogsPage() {
  const user = await requirePageUser();
  const rows = await listOwnedVlogs(db(), user.id, { limit: 100 });
  return (
    <>
      <h1 className="mb-6 text-2xl font-semibold tracking-tight">Vlogs</h1>
      {rows.length === 0 ? (
        <div className="rounded-xl border border-slate-200 bg-white px-6 py-10 text-center text-slate-600">
          <p>No vlogs yet.</p>
          <p className="mt-2 text-sm">
            Go to <Link href="/" className="font-medium text-indigo-700 hover:underline">your photos</Link>, press
            “Select photos”, pick a few and press “Make a vlog”.
          </p>
        </div>
      ) : (
        <VlogList initial={rows.map(toVlogView)} />
      )}
    </>
  );
}
