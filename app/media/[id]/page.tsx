import Link from "next/link";
import { notFound } from "next/navigation";
import { DeletePhotoButton } from "@/components/delete-photo-button";
import { LiveStatus } from "@/components/live-status";
import { RetryButton } from "@/components/retry-button";
import { requirePageUser } from "@/lib/auth/page";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { mediaIdParam } from "@/lib/http/params";
import { toMediaDetail } from "@/lib/media/detail";
import { isTerminal } from "@/lib/media/progress";
import { getOwnedMedia } from "@/lib/media/repository";

export const dynamic = "force-dynamic";

async function load(userId: string, id: string) {
  try {
    return toMediaDetail(await getOwnedMedia(db(), userId, mediaIdParam(id)));
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
}

const formatBytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

export default async function MediaPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const media = await load(user.id, (await params).id);
  const a = media.analysis;
  const exif = a?.exif;
  const facts: [string, string | undefined][] = a
    ? [
        ["Dimensions", `${a.width} × ${a.height} px`],
        ["Format", a.format.toUpperCase()],
        ["File size", formatBytes(media.size)],
        ["Camera", [exif?.cameraMake, exif?.cameraModel].filter(Boolean).join(" ") || undefined],
        ["Lens", exif?.lens],
        // Camera wall-clock time (stored as UTC, see analyze-media), so no zone is shown.
        ["Taken", a.takenAt ? new Date(a.takenAt).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) : undefined],
        ["Location", a.latitude != null && a.longitude != null ? `${a.latitude.toFixed(5)}, ${a.longitude.toFixed(5)}` : undefined],
        ["Exposure", [exif?.exposureTime && `1/${Math.round(1 / exif.exposureTime)} s`, exif?.fNumber && `f/${exif.fNumber}`, exif?.iso && `ISO ${exif.iso}`, exif?.focalLength && `${exif.focalLength} mm`].filter(Boolean).join(" · ") || undefined],
      ]
    : [];

  return (
    <article className="space-y-6">
      <Link href="/" className="inline-flex min-h-11 items-center text-sm text-indigo-700 hover:underline">← Back to library</Link>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <h1 className="break-all text-2xl font-semibold tracking-tight">{media.name}</h1>
        <DeletePhotoButton mediaId={media.id} name={media.name} />
      </div>

      {!isTerminal(media.status) && <LiveStatus initial={media} />}
      {media.status === "failed" && (
        <div role="alert" className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-red-200 bg-red-50 p-4 text-red-800">
          <p>{media.error}</p>
          <RetryButton mediaId={media.id} />
        </div>
      )}

      {a && (
        <div className="grid gap-8 md:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
          <figure className="space-y-3">
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={media.thumbnailUrl!} alt={a.caption} className="w-full rounded-xl border border-slate-200 bg-white object-contain" />
            <figcaption className="text-lg text-slate-800">{a.caption}</figcaption>
            <p className="text-xs text-slate-500">
              {a.provider === "local"
                ? "Described by the local analyser: impressions from colours, brightness and EXIF, not an AI model."
                : a.provider === "local:centernet"
                  ? "Described on this server: objects and faces by a local model (CenterNet and BlazeFace, which know 80 kinds of everyday things, not landscapes or plants); colours and EXIF by the local analyser."
                  : `Described by ${a.provider.replace(/^gemini:/, "Gemini ").replace(/^openai:/, "the OpenAI-compatible model ").replace(/^anthropic:/, "Anthropic ")}.`}
            </p>
          </figure>
          <div className="space-y-6">
            <section aria-labelledby="tags-heading">
              <h2 id="tags-heading" className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">Tags</h2>
              <ul className="flex flex-wrap gap-2">
                {a.tags.map((t) => (
                  <li key={t} className="rounded-full bg-indigo-50 px-3 py-1 text-sm text-indigo-800">{t}</li>
                ))}
              </ul>
            </section>
            <section aria-labelledby="colours-heading">
              <h2 id="colours-heading" className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">Dominant colours</h2>
              <ul className="flex gap-2">
                {a.colours.map((c) => (
                  <li key={c} className="flex flex-col items-center gap-1 text-xs text-slate-600">
                    <span className="h-10 w-10 rounded-md border border-slate-200" style={{ backgroundColor: c }} aria-hidden />
                    {c}
                  </li>
                ))}
              </ul>
            </section>
            <section aria-labelledby="details-heading">
              <h2 id="details-heading" className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">Details</h2>
              <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
                {facts.filter(([, v]) => v).map(([k, v]) => (
                  <div key={k} className="contents">
                    <dt className="text-slate-500">{k}</dt>
                    <dd className="text-slate-900">{v}</dd>
                  </div>
                ))}
              </dl>
              {!exif && <p className="mt-2 text-sm text-slate-500">This photo carries no EXIF data.</p>}
            </section>
            <a href={media.originalUrl} className="inline-flex min-h-11 items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100">
              Download original
            </a>
          </div>
        </div>
      )}
    </article>
  );
}
