// Reads request bodies: JSON validated with zod (a malformed body is a 400, not a 500), or raw bytes with a size limit.
import type { z } from "zod";
import { RejectedInputError } from "@/lib/errors";
import { badRequest } from "./errors";
import { bodyStream, hasBody } from "./request-body";

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
  const bytes = await readAtMost(request, maxBytes, tooLarge);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw badRequest("The request body must be JSON.");
  }
}

/** A raw request body (an uploaded file) of at most `maxBytes` (413 past it, whatever Content-Length claimed). */
export async function readBoundedBody(request: Request, maxBytes: number): Promise<Buffer> {
  if (!hasBody(request)) throw new RejectedInputError("empty", "The request has no file in its body.");
  return readAtMost(request, maxBytes, () => new RejectedInputError("too_large", `The file may be at most ${Math.round(maxBytes / (1024 * 1024))} MB.`));
}

async function readAtMost(request: Request, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  const body = bodyStream(request);
  // Leaving the loop early (too large) destroys the stream: reading stops there.
  if (body)
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  return Buffer.concat(chunks);
}
