// POST: start a resumable photo upload (tus creation: Upload-Length, Upload-Metadata
// filename) → 201 with its address in Location. Rate-limited like multipart uploads.
import { resumableCollectionRoutes } from "@/lib/http/resumable";
import { photoUploads } from "@/lib/http/resumable-kinds";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const routes = resumableCollectionRoutes(photoUploads);
export const POST = routes.POST;
