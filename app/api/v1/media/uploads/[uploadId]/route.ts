// One resumable photo upload (tus): HEAD its offset, PATCH bytes from there, DELETE it while
// unfinished; GET its state and, once finished, the photo it made (or why it was refused).
import { resumableItemRoutes } from "@/lib/http/resumable";
import { photoUploads } from "@/lib/http/resumable-kinds";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const routes = resumableItemRoutes(photoUploads);
export const GET = routes.GET;
export const HEAD = routes.HEAD;
export const PATCH = routes.PATCH;
export const DELETE = routes.DELETE;
