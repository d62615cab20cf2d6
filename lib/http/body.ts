// Reads a JSON request body and validates it; a malformed body is a 400, not a 500.
import type { z } from "zod";
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
