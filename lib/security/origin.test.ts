import { describe, expect, it } from "vitest";
import { isCrossSiteWrite } from "./origin";
import { clientAddress, SHARED_CLIENT_KEY } from "./client-ip";

const policy = { appUrl: "https://photos.example.com", trustProxy: false };
const req = (method: string, headers: Record<string, string>, url = "http://10.0.0.5:3000/api/v1/media") =>
  new Request(url, { method, headers });

describe("isCrossSiteWrite", () => {
  it("never blocks safe methods", () => {
    expect(isCrossSiteWrite(req("GET", { origin: "https://evil.example", cookie: "fc_session=x" }), policy)).toBe(false);
    expect(isCrossSiteWrite(req("HEAD", { origin: "https://evil.example" }), policy)).toBe(false);
  });

  it("accepts the public origin and the Host the request was sent to, nothing else", () => {
    expect(isCrossSiteWrite(req("POST", { origin: "https://photos.example.com" }), policy)).toBe(false);
    expect(isCrossSiteWrite(req("POST", { origin: "http://10.0.0.5:3000" }), policy)).toBe(false);
    expect(isCrossSiteWrite(req("POST", { origin: "http://localhost:3000", host: "localhost:3000" }), policy)).toBe(false);
    expect(isCrossSiteWrite(req("DELETE", { origin: "https://evil.example" }), policy)).toBe(true);
    expect(isCrossSiteWrite(req("POST", { origin: "https://photos.example.com.evil.example" }), policy)).toBe(true);
    expect(isCrossSiteWrite(req("POST", { origin: "https://sub.photos.example.com" }), policy)).toBe(true);
    expect(isCrossSiteWrite(req("POST", { origin: "null" }), policy)).toBe(true);
  });

  it("compares scheme, host and port, not the host alone", () => {
    const local = { appUrl: "http://localhost:3000", trustProxy: false };
    const at = (origin: string) => req("POST", { origin, host: "localhost:3000" }, "http://localhost:3000/api/v1/media");
    expect(isCrossSiteWrite(at("http://localhost:3000"), local)).toBe(false);
    expect(isCrossSiteWrite(at("https://localhost:3000"), local)).toBe(true);
    expect(isCrossSiteWrite(at("http://localhost:3001"), local)).toBe(true);
    expect(isCrossSiteWrite(at("http://localhost"), local)).toBe(true);
    expect(isCrossSiteWrite(at("HTTP://LOCALHOST:3000"), local)).toBe(false);
    expect(isCrossSiteWrite(at("file:///home/me/page.html"), local)).toBe(true);
    // The public https origin, and no plain-http copy of it.
    expect(isCrossSiteWrite(req("POST", { origin: "https://photos.example.com:443" }), policy)).toBe(false);
    expect(isCrossSiteWrite(req("POST", { origin: "http://photos.example.com" }), policy)).toBe(true);
  });

  it("takes the scheme the browser used from X-Forwarded-Proto only behind a trusted proxy", () => {
    const headers = { origin: "https://alias.example.com", host: "alias.example.com", "x-forwarded-proto": "https" };
    const plain = "http://alias.example.com/api/v1/media"; // TLS ended at the proxy
    expect(isCrossSiteWrite(req("POST", headers, plain), policy)).toBe(true);
    expect(isCrossSiteWrite(req("POST", headers, plain), { ...policy, trustProxy: true })).toBe(false);
    expect(isCrossSiteWrite(req("POST", { ...headers, origin: "http://alias.example.com", "x-forwarded-proto": "https" }, plain), { ...policy, trustProxy: true })).toBe(true);
  });

  it("trusts X-Forwarded-Host only behind a trusted proxy", () => {
    const headers = { origin: "https://alias.example.com", "x-forwarded-host": "alias.example.com" };
    expect(isCrossSiteWrite(req("POST", headers), policy)).toBe(true);
    expect(isCrossSiteWrite(req("POST", headers), { ...policy, trustProxy: true })).toBe(false);
  });

  it("falls back to Sec-Fetch-Site, then refuses a session cookie with neither header", () => {
    expect(isCrossSiteWrite(req("POST", { "sec-fetch-site": "same-origin" }), policy)).toBe(false);
    expect(isCrossSiteWrite(req("POST", { "sec-fetch-site": "none" }), policy)).toBe(false);
    expect(isCrossSiteWrite(req("POST", { "sec-fetch-site": "same-site" }), policy)).toBe(true);
    expect(isCrossSiteWrite(req("POST", { "sec-fetch-site": "cross-site" }), policy)).toBe(true);
    expect(isCrossSiteWrite(req("POST", { cookie: "theme=dark; fc_session=abc" }), policy)).toBe(true);
    expect(isCrossSiteWrite(req("POST", { cookie: "theme=dark" }), policy)).toBe(false);
    expect(isCrossSiteWrite(req("POST", {}), policy)).toBe(false);
  });

  it("exempts requests carrying a bearer token (no ambient credential to abuse)", () => {
    expect(isCrossSiteWrite(req("POST", { origin: "https://evil.example", authorization: "Bearer fc_x" }), policy)).toBe(false);
  });
});

describe("clientAddress", () => {
  const xff = (value: string) => new Request("http://x/", { headers: { "x-forwarded-for": value } });

  it("ignores X-Forwarded-For unless a proxy is trusted (it could be forged)", () => {
    expect(clientAddress(xff("203.0.113.9"), 0)).toBe(SHARED_CLIENT_KEY);
  });

  it("takes the address the trusted proxy saw, not what the client claimed before it", () => {
    expect(clientAddress(xff("1.1.1.1, 203.0.113.9"), 1)).toBe("203.0.113.9");
    expect(clientAddress(xff("1.1.1.1, 203.0.113.9, 10.0.0.2"), 2)).toBe("203.0.113.9");
    expect(clientAddress(xff("2001:db8::1"), 1)).toBe("2001:db8::1");
    expect(clientAddress(xff("not an address"), 1)).toBe(SHARED_CLIENT_KEY);
    expect(clientAddress(new Request("http://x/"), 1)).toBe(SHARED_CLIENT_KEY);
  });
});
