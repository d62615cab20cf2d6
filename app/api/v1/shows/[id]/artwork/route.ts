// PUT (the image as the body) or POST (multipart, field "file"): the show's cover art, made
// square, 1400–3000 px, JPEG; the feed is rebuilt. 415 for a file that is not a picture.
import { requireUser } from "@/lib/auth";
import { env } from "@/lib/env";
import { RejectedInputError } from "@/lib/errors";
import { uuidParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { readBoundedBody } from "@/lib/http/body";
import { withUpload } from "@/lib/http/upload";
import { uploadPolicy } from "@/lib/media/service";
import { setArtwork } from "@/lib/podcasts/show-service";

export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

export const PUT = route<Ctx>(async (request, { params }) => {
  const user = await requireUser(request);
  const id = uuidParam((await params).id, "That show");
  const bytes = await readBoundedBody(request, env().MAX_FILE_BYTES);
  return Response.json(await setArtwork(user, id, { bytes }));
});

export const POST = route<Ctx>(async (request, { params }) => {
  const user = await requireUser(request);
  const id = uuidParam((await params).id, "That show");
  const base = uploadPolicy();
  const policy = { ...base, limits: { ...base.limits, maxFiles: 1 }, accept: { ...base.accept, field: "file" } };
  return Response.json(
    await withUpload(request, policy, async ({ accepted, rejected }) => {
      if (accepted.length === 0) throw new RejectedInputError(rejected[0].reason, rejected[0].error);
      return setArtwork(user, id, { path: accepted[0].tempPath });
    }),
  );
});
