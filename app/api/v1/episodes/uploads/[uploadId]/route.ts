// One resumable recording upload (tus): HEAD its offset, PATCH bytes from there, DELETE it
// while unfinished; GET its state and, once finished, the episode it made (or why not).
import { resumableItemRoutes } from "@/lib/http/resumable";
import { audioUploads } from "@/lib/http/resumable-kinds";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const routes = resumableItemRoutes(audioUploads);
export const GET = routes.GET;
export const HEAD = routes.HEAD;
export const PATCH = routes.PATCH;
export const DELETE = routes.DELETE;
