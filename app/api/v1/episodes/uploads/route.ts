// POST: start a resumable recording upload for a new episode (tus creation: Upload-Length,
// Upload-Metadata filename and optional showId) → 201 with its address in Location.
import { resumableCollectionRoutes } from "@/lib/http/resumable";
import { audioUploads } from "@/lib/http/resumable-kinds";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const routes = resumableCollectionRoutes(audioUploads);
export const POST = routes.POST;
