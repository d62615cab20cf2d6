// Who may read metrics: whoever sends `Authorization: Bearer <METRICS_TOKEN>`. Without a
// configured token the endpoints are off (404) rather than open, so a forgotten setting
// never publishes queue names and traffic to the internet.
import { createHash, timingSafeEqual } from "node:crypto";

export type MetricsAccess = "disabled" | "denied" | "allowed";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function metricsAccess(authorization: string | null | undefined, token: string | undefined): MetricsAccess {
  if (!token) return "disabled";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) return "denied";
  // Compare digests: equal length, constant time, whatever the caller sent.
  return timingSafeEqual(digest(match[1]), digest(token)) ? "allowed" : "denied";
}

export const METRICS_DISABLED_MESSAGE = "Metrics are turned off. Set METRICS_TOKEN (16+ characters) to serve them.";
export const METRICS_DENIED_MESSAGE = "Send the metrics token as 'Authorization: Bearer <METRICS_TOKEN>'.";
