// The browser's one way to call the API: JSON in and out, and a failed answer thrown as an
// ApiError whose message is the API's own (`{ error: { message, fields } }`), ready to show.

export class ApiError extends Error {
  constructor(
    message: string,
    /** The HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** Field messages of a 422, keyed by field name. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const UNREACHABLE = "Could not reach the server. Check your connection and try again.";
const FAILED = "That did not work. Please try again.";

/**
 * Calls the API and returns its JSON answer (undefined when there is none, e.g. 204).
 * `json` is sent as the request body. Throws ApiError when the request fails.
 */
export async function apiFetch<T = unknown>(url: string, opts: { method?: string; json?: unknown } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? (opts.json === undefined ? "GET" : "POST"),
      headers: opts.json === undefined ? undefined : { "Content-Type": "application/json" },
      body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
    });
  } catch {
    throw new ApiError(UNREACHABLE, 0);
  }
  const body = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = body?.error as { message?: string; fields?: Record<string, string> } | undefined;
    throw new ApiError(error?.message ?? FAILED, res.status, error?.fields);
  }
  return body as T;
}

/** The message to show for anything apiFetch (or the code around it) threw. */
export const errorMessage = (err: unknown): string => (err instanceof ApiError ? err.message : FAILED);
