// Reads a JSON request body and validates it; a malformed body is a 400, not a 500.
import type { z } from "zod";
import { RejectedInputError } from "@/lib/errors";
import { badRequest } from "./errors";

export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw badRequest("The request body must be JSON.");
  }
  return schema.parse(body);
}

/**
 * Reads a JSON body of at most `maxBytes` (413 beyond it, without reading the rest), as
 * unknown: the caller validates it. A declared Content-Length over the limit is refused
 * before reading.
 */
export async function readJsonBounded(request: Request, maxBytes: number): Promise<unknown> {
  const tooLarge = () =>
    new RejectedInputError("too_large", `The request body is larger than ${Math.round(maxBytes / 1024 / 1024)} MB; send less at once (e.g. split a batch).`);
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  try {
    return JSON.parse(new TextDecoder().decode(Buffer.concat(chunks)));
  } catch {
    throw badRequest("The request body must be JSON.");
  }
}
