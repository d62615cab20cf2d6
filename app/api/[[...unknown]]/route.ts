// Any method, any /api path no route serves: 404 in the API's JSON error shape, instead of
// Next.js's HTML page (or, for a multipart POST, its server-action 409). Real routes, static
// or dynamic, always match before this optional catch-all.
import { NotFoundError } from "@/lib/errors";
import { route } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = route(async (request) => {
  const path = new URL(request.url).pathname;
  throw new NotFoundError(`The API address ${path.length > 200 ? `${path.slice(0, 200)}…` : path}`);
});

export { handler as GET, handler as HEAD, handler as POST, handler as PUT, handler as PATCH, handler as DELETE, handler as OPTIONS };
