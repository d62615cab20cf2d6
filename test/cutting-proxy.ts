// Test and bench support: a TCP proxy on loopback in front of the app that can drop the
// connection the way a phone leaving hotel Wi-Fi does. Armed with a byte count, it forwards
// client → server bytes up to exactly that many more, then destroys both sides of the
// connection carrying them (no clean end of the request: the body just stops). Later
// connections pass untouched. It counts what it forwarded, so a test can tell how much was
// sent again after the cut. Or it cuts every open connection at once (`cutNow`).
import net from "node:net";

export interface CuttingProxy {
  port: number;
  /** Client → server bytes forwarded so far (request lines, headers and bodies). */
  readonly forwarded: number;
  /** Cuts after `bytes` more client → server bytes; resolves once it has. */
  cutAfter(bytes: number): Promise<{ at: number }>;
  /** Cuts every open connection now. */
  cutNow(): void;
  close(): Promise<void>;
}

export async function startCuttingProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<CuttingProxy> {
  let forwarded = 0;
  let armed: { at: number; done: (v: { at: number }) => void } | null = null;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop);
    upstream.on("error", drop);
    client.on("close", drop);
    upstream.on("close", drop);
    upstream.pipe(client);
    client.on("data", (chunk: Buffer) => {
      let part = chunk;
      const cut = armed;
      if (cut && forwarded + chunk.length >= cut.at) part = chunk.subarray(0, cut.at - forwarded);
      forwarded += part.length;
      if (part.length > 0 && !upstream.write(part)) {
        client.pause();
        upstream.once("drain", () => client.resume());
      }
      if (cut && forwarded >= cut.at) {
        armed = null;
        // Let the bytes already written reach the server, then pull the plug on both sides.
        upstream.end(() => {
          drop();
          cut.done({ at: forwarded });
        });
        client.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    get forwarded() {
      return forwarded;
    },
    cutAfter(bytes) {
      return new Promise((done) => {
        armed = { at: forwarded + bytes, done };
      });
    },
    cutNow() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
