import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, RateLimitedError, RejectedInputError } from "@/lib/errors";
import { blockedAddressReason, FetchFailedError, safeFetch, type Resolve } from "./safe-fetch";

// A stub web server on 127.0.0.1. Every request is logged so a test can prove that a
// refused address was never contacted.
let server: http.Server;
let port: number;
const served: string[] = [];
const ARTICLE = "<!doctype html><html lang=en><head><meta charset=utf-8><title>Café news</title></head><body><p>Crème brûlée.</p></body></html>";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    served.push(`${req.headers.host} ${req.url}`);
    const path = req.url ?? "/";
    if (path === "/article") {
      res.writeHead(200, { "content-type": "text/html" }).end(ARTICLE);
    } else if (path === "/gzip") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-encoding": "gzip" }).end(zlib.gzipSync(ARTICLE));
    } else if (path === "/plain") {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("図書館のお知らせ");
    } else if (path.startsWith("/redirect-to?")) {
      res.writeHead(302, { location: decodeURIComponent(path.slice("/redirect-to?".length)) }).end();
    } else if (path.startsWith("/hops/")) {
      const n = Number(path.split("/")[2]);
      if (n === 0) res.writeHead(200, { "content-type": "text/html" }).end(ARTICLE);
      else res.writeHead(301, { location: `/hops/${n - 1}` }).end();
    } else if (path === "/big") {
      res.writeHead(200, { "content-type": "text/html" }); // chunked, no length given
      const chunk = Buffer.alloc(64 * 1024, "a");
      let sent = 0;
      const pump = () => {
        while (sent < 6 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once("drain", pump);
        }
        res.end();
      };
      res.on("error", () => {});
      pump();
    } else if (path === "/big-declared") {
      res.writeHead(200, { "content-type": "text/html", "content-length": String(6 * 1024 * 1024) });
      res.write("<html>"); // then nothing: the declared length alone must be enough to refuse
    } else if (path === "/slow") {
      res.writeHead(200, { "content-type": "text/html" });
      res.write("<html><body>"); // and never finishes
    } else if (path === "/image") {
      res.writeHead(200, { "content-type": "image/png" }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    } else if (path === "/missing") {
      res.writeHead(404, { "content-type": "text/html" }).end("not here");
    } else if (path === "/down") {
      res.writeHead(503, { "content-type": "text/html" }).end("down");
    } else if (path === "/busy") {
      res.writeHead(429, { "retry-after": "7" }).end();
    } else {
      res.writeHead(200, { "content-type": "text/plain" }).end("secret internal data");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A DNS where the listed names point at the stub; anything else is unknown. */
function stubDns(names: Record<string, string>, calls: string[] = []): Resolve {
  return async (hostname) => {
    calls.push(hostname);
    const address = names[hostname];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return [{ address, family: address.includes(":") ? 6 : 4 }];
  };
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => null,
    (e: Error) => e,
  );
  if (!err) throw new Error("expected the fetch to be refused");
  return err;
}

describe("addresses", () => {
  it("knows private, loopback, link-local, CGNAT, multicast, metadata and reserved ranges", () => {
    const blocked: Record<string, RegExp> = {
      "127.0.0.1": /loopback/,
      "127.255.1.2": /loopback/,
      "10.1.2.3": /private/,
      "172.16.5.4": /private/,
      "172.31.255.255": /private/,
      "192.168.1.1": /private/,
      "100.64.0.1": /carrier-grade NAT/,
      "169.254.10.1": /link-local/,
      "169.254.169.254": /cloud metadata/,
      "0.0.0.0": /unspecified/,
      "224.0.0.251": /multicast/,
      "255.255.255.255": /reserved/,
      "::": /unspecified/,
      "::1": /loopback/,
      "[::1]": /loopback/,
      "fd12:3456::1": /unique local/,
      "fe80::1%eth0": /link-local/,
      "ff02::1": /multicast/,
      "fd00:ec2::254": /cloud metadata/,
      "::ffff:127.0.0.1": /IPv4-mapped form of a loopback/,
      "::ffff:7f00:1": /IPv4-mapped form of a loopback/,
      "::ffff:169.254.169.254": /IPv4-mapped form of the cloud metadata/,
      "64:ff9b::a00:1": /NAT64 form of a private/,
      "2002:c0a8:101::1": /6to4 form of a private/,
    };
    for (const [ip, reason] of Object.entries(blocked)) expect(blockedAddressReason(ip), ip).toMatch(reason);
    for (const ip of ["8.8.8.8", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect(blockedAddressReason(ip), ip).toBeNull();
    }
  });
});

describe("refusals", () => {
  it("refuses loopback, private and metadata addresses without contacting them", async () => {
    const before = served.length;
    const cases: [string, RegExp][] = [
      [`http://127.0.0.1:${port}/article`, /127\.0\.0\.1 is a loopback address; only public web addresses/],
      ["http://10.0.0.5/admin", /10\.0\.0\.5 is a private network address/],
      ["http://169.254.169.254/latest/meta-data/", /cloud metadata service/],
      [`http://[::ffff:127.0.0.1]:${port}/article`, /IPv4-mapped form of a loopback address/],
      [`http://[::1]:${port}/`, /loopback/],
    ];
    for (const [url, message] of cases) {
      const err = await refusal(safeFetch(url));
      expect(err, url).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).fields.url, url).toMatch(message);
    }
    expect(served.length).toBe(before);
  });

  it("refuses a DNS name that resolves to loopback, via the system resolver too", async () => {
    const err = await refusal(safeFetch(`http://public.test:${port}/article`, { resolve: stubDns({ "public.test": "127.0.0.1" }) }));
    expect((err as InvalidInputError).fields.url).toBe(
      "public.test points to a loopback address (127.0.0.1); only public web addresses can be fetched.",
    );
    const viaHosts = await refusal(safeFetch(`http://localhost:${port}/article`));
    expect((viaHosts as InvalidInputError).fields.url).toMatch(/localhost points to a loopback address/);
  });

  it("refuses a name with any private address among its answers", async () => {
    const resolve: Resolve = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.0.0.1", family: 4 },
    ];
    const err = await refusal(safeFetch("http://mixed.test/", { resolve }));
    expect((err as InvalidInputError).fields.url).toMatch(/mixed\.test points to a private network address \(10\.0\.0\.1\)/);
  });

  it("re-checks every redirect: an allowed host that redirects to loopback is refused", async () => {
    const dns = stubDns({ "stub.test": "127.0.0.1", "evil.test": "127.0.0.1" });
    const options = { allowPrivateHosts: ["stub.test"], resolve: dns };
    const before = served.length;
    const toLoopback = `http://stub.test:${port}/redirect-to?${encodeURIComponent(`http://127.0.0.1:${port}/secret`)}`;
    const err = await refusal(safeFetch(toLoopback, options));
    expect((err as InvalidInputError).fields.url).toBe(
      `The page redirected to http://127.0.0.1:${port}/secret, but 127.0.0.1 is a loopback address; only public web addresses can be fetched.`,
    );
    const toEvilName = `http://stub.test:${port}/redirect-to?${encodeURIComponent(`http://evil.test:${port}/secret`)}`;
    expect((await refusal(safeFetch(toEvilName, options))).message).toMatch(/redirected to http:\/\/evil\.test:\d+\/secret, but evil\.test points to a loopback/);
    // Only the two redirecting pages were served; /secret never was.
    expect(served.slice(before)).toEqual([`stub.test:${port} /redirect-to?${encodeURIComponent(`http://127.0.0.1:${port}/secret`)}`, `stub.test:${port} /redirect-to?${encodeURIComponent(`http://evil.test:${port}/secret`)}`]);
  });

  it("refuses redirects to other schemes and more than 5 redirects", async () => {
    const options = { allowPrivateHosts: true as const };
    const toFile = `http://127.0.0.1:${port}/redirect-to?${encodeURIComponent("file:///etc/passwd")}`;
    expect((await refusal(safeFetch(toFile, options))).message).toMatch(/only http:\/\/ and https:\/\/ addresses/);
    expect((await refusal(safeFetch(`http://127.0.0.1:${port}/hops/6`, options))).message).toBe(
      "The page redirected more than 5 times; give the final address instead.",
    );
    const ok = await safeFetch(`http://127.0.0.1:${port}/hops/5`, options);
    expect(ok.redirects).toHaveLength(5);
    expect(ok.url).toBe(`http://127.0.0.1:${port}/hops/0`);
  });

  it("refuses other schemes and embedded credentials", async () => {
    for (const url of ["ftp://example.com/file", "file:///etc/passwd", "gopher://example.com/", "http://user:pw@example.com/"]) {
      expect(await refusal(safeFetch(url)), url).toBeInstanceOf(InvalidInputError);
    }
  });

  it("refuses a page that is too big, whether it says so or not", async () => {
    const options = { allowPrivateHosts: true as const };
    for (const path of ["/big", "/big-declared"]) {
      const err = await refusal(safeFetch(`http://127.0.0.1:${port}${path}`, options));
      expect(err, path).toBeInstanceOf(RejectedInputError);
      expect((err as RejectedInputError).reason).toBe("too_large");
      expect(err.message).toBe(`The page at 127.0.0.1:${port} is larger than 5 MB, the most that can be read.`);
    }
  });

  it("gives up on a page that is too slow", async () => {
    const started = Date.now();
    const err = await refusal(safeFetch(`http://127.0.0.1:${port}/slow`, { allowPrivateHosts: true, timeoutMs: 300 }));
    expect(err).toBeInstanceOf(RejectedInputError);
    expect((err as RejectedInputError).reason).toBe("too_long");
    expect(err.message).toBe(`The page at 127.0.0.1:${port} did not finish loading within 0.3 seconds.`);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("refuses content that is not HTML or text", async () => {
    const err = await refusal(safeFetch(`http://127.0.0.1:${port}/image`, { allowPrivateHosts: true }));
    expect(err).toBeInstanceOf(RejectedInputError);
    expect((err as RejectedInputError).reason).toBe("wrong_type");
    expect(err.message).toMatch(/is "image\/png"; only HTML and plain-text pages can be read/);
  });

  it("tells a missing page (fix the address) from a failing site (try later) and a busy one (wait)", async () => {
    const options = { allowPrivateHosts: true as const };
    const missing = await refusal(safeFetch(`http://127.0.0.1:${port}/missing`, options));
    expect(missing).toBeInstanceOf(InvalidInputError);
    expect(missing.message).toMatch(/was not found \(404 Not Found\)/);
    const down = await refusal(safeFetch(`http://127.0.0.1:${port}/down`, options));
    expect(down).toBeInstanceOf(FetchFailedError);
    expect((down as FetchFailedError).kind).toBe("transient");
    const busy = await refusal(safeFetch(`http://127.0.0.1:${port}/busy`, options));
    expect(busy).toBeInstanceOf(RateLimitedError);
    expect((busy as RateLimitedError).retryAfterMs).toBe(7_000);
  });

  it("reports an unknown host as a bad address and a closed port as worth retrying", async () => {
    const unknown = await refusal(safeFetch("http://nowhere.test/", { resolve: stubDns({}) }));
    expect((unknown as InvalidInputError).fields.url).toBe("No server called nowhere.test could be found; check the address.");
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await refusal(safeFetch(`http://127.0.0.1:${closedPort}/`, { allowPrivateHosts: true }));
    expect(refused).toBeInstanceOf(FetchFailedError);
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });

  it("stops when the job is canceled", async () => {
    const controller = new AbortController();
    const pending = safeFetch(`http://127.0.0.1:${port}/slow`, { allowPrivateHosts: true, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("canceled by user")), 50);
    await expect(pending).rejects.toThrow("canceled by user");
  });
});

describe("fetching", () => {
  it("fetches an allowed page and decodes it by its charset", async () => {
    const page = await safeFetch(`http://127.0.0.1:${port}/article`, { allowPrivateHosts: true });
    expect(page).toMatchObject({ status: 200, mimeType: "text/html", charset: "utf-8", body: ARTICLE, redirects: [] });
    const gz = await safeFetch(`http://127.0.0.1:${port}/gzip`, { allowPrivateHosts: true });
    expect(gz.body).toBe(ARTICLE);
    const plain = await safeFetch(`http://127.0.0.1:${port}/plain`, { allowPrivateHosts: true });
    expect(plain).toMatchObject({ mimeType: "text/plain", body: "図書館のお知らせ" });
  });

  it("connects to the address it checked (the name is resolved once, by the checker)", async () => {
    // stub.test exists only in this resolver: the request can only have reached the stub
    // if the socket used the checked address instead of resolving the name again.
    const calls: string[] = [];
    const page = await safeFetch(`http://stub.test:${port}/hops/2`, {
      allowPrivateHosts: ["stub.test"],
      resolve: stubDns({ "stub.test": "127.0.0.1" }, calls),
    });
    expect(page.body).toBe(ARTICLE);
    expect(page.redirects).toEqual([`http://stub.test:${port}/hops/1`, `http://stub.test:${port}/hops/0`]);
    expect(calls).toEqual(["stub.test", "stub.test", "stub.test"]); // once per hop
  });
});

describe("https", () => {
  it("verifies the certificate for the hostname while connecting to the pinned address", async () => {
    // A self-signed certificate for stub.test: reaching the TLS handshake proves the pinned
    // address was used; the refusal proves verification was not switched off.
    const dir = mkdtempSync(join(tmpdir(), "safe-fetch-tls-"));
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=stub.test", "-days", "1",
        "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
      const tls = https.createServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (_req, res) => {
        res.writeHead(200, { "content-type": "text/html" }).end(ARTICLE);
      });
      await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
      const tlsPort = (tls.address() as AddressInfo).port;
      try {
        const err = await refusal(
          safeFetch(`https://stub.test:${tlsPort}/`, { allowPrivateHosts: ["stub.test"], resolve: stubDns({ "stub.test": "127.0.0.1" }) }),
        );
        expect(err).toBeInstanceOf(InvalidInputError);
        expect(err.message).toMatch(/stub\.test:\d+'s security certificate is not valid \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
      } finally {
        tls.closeAllConnections();
        await new Promise((r) => tls.close(r));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
