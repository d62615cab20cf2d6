// The public page behind a share link: the video and its title, nothing else. The token
// is the permission; once revoked, the page is a plain 404.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { db } from "@/lib/db";
import { getVlogByShareToken } from "@/lib/vlogs/repository";
import { SHARE_TOKEN } from "@/lib/vlogs/share";
import { storyboardOf } from "@/lib/vlogs/view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { robots: { index: false, follow: false }, referrer: "no-referrer" };

export default async function SharedVlogPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const row = SHARE_TOKEN.test(token) ? await getVlogByShareToken(db(), token) : null;
  if (!row?.videoKey) notFound();
  const title = storyboardOf(row)?.title || row.title || "A vlog";
  return (
    <article className="mx-auto max-w-3xl space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <video src={`/api/shared/${token}/video`} poster={`/api/shared/${token}/poster`} controls preload="metadata" playsInline
        aria-label={`${title} (video)`} className="aspect-video w-full rounded-xl bg-black" />
      <p className="text-sm text-slate-500">Shared with Framecast.</p>
    </article>
  );
}
