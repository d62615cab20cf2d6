// Which client a request comes from, for per-address rate limits. Route handlers do not
// see the socket; `next start` copies the socket address into X-Forwarded-For only when
// the client did not send that header itself, so the header is forgeable unless a proxy
// we trust writes it. Hence: behind TRUST_PROXY=N proxies, the N-th address from the
// right (the one our outermost proxy saw; entries further left are the client's own
// claims); otherwise one shared key for every client.

export const SHARED_CLIENT_KEY = "all-clients";

export function clientAddress(request: Request, trustedProxies: number): string {
  if (trustedProxies <= 0) return SHARED_CLIENT_KEY;
  const hops = (request.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const address = hops[hops.length - trustedProxies];
  // Anything that is not an address (a garbled header) must not become its own bucket.
  return address && /^[0-9a-fA-F.:]{2,45}$/.test(address) ? address : SHARED_CLIENT_KEY;
}
