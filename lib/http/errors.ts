// Errors that only make sense at the HTTP edge: not signed in (401), not allowed or not from
// our pages (403), a request we cannot read (400). Thrown by app/ routes and the request
// helpers of lib/http and lib/auth; domain code throws lib/errors instead (lib/http/status.ts
// maps both).
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = `http_${status}`,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const unauthorised = () => new HttpError(401, "Please sign in first.", "unauthenticated");
export const badRequest = (message: string) => new HttpError(400, message, "bad_request");
export const forbidden = (message = "Only admins can do that.", code = "forbidden") => new HttpError(403, message, code);
export const forbiddenOrigin = () =>
  forbidden("This request did not come from a Framecast page, so it was refused. Reload the page and try again.", "bad_origin");
