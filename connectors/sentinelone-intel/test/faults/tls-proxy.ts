/**
 * TLS and proxies for scenario 7 (neither simulator speaks HTTPS, so TLS is terminated in front of them):
 * - `makeCertificate()`: a self-signed certificate for 127.0.0.1 / localhost, generated at test time with `openssl`;
 *   being self-signed, it is its own CA (`ca.pem` is the same certificate).
 * - `TlsReverseProxy`: node:https in front of an http simulator, streaming both ways (SSE included), counting TLS
 *   handshakes that failed and requests served.
 * - `ForwardProxy`: an HTTP forward proxy (absolute-URI requests for http targets, CONNECT tunnels for https ones)
 *   that counts what it carried per target `host:port`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { type AddressInfo, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Certificate {
  readonly certPath: string;
  readonly keyPath: string;
  /** The CA bundle to trust: the self-signed certificate itself. */
  readonly caPath: string;
  readonly cert: string;
  readonly key: string;
}

/** `openssl req -x509` for CN=127.0.0.1 with SANs IP:127.0.0.1 and DNS:localhost, valid for two days. */
export async function makeCertificate(): Promise<Certificate> {
  const dir = await mkdtemp(join(tmpdir(), "octi-faults-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  await new Promise<void>((resolve, reject) => {
    execFile(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-sha256",
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-keyout",
        keyPath,
        "-out",
        certPath,
      ],
      (error, _stdout, stderr) => (error ? reject(new Error(`openssl failed: ${stderr}`)) : resolve()),
    );
  });
  return {
    certPath,
    keyPath,
    caPath: certPath,
    cert: await readFile(certPath, "utf8"),
    key: await readFile(keyPath, "utf8"),
  };
}

function listen(server: Server | HttpsServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server | HttpsServer, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
  });
}

function track(server: Server | HttpsServer, sockets: Set<Socket>, event: "connection" | "secureConnection"): void {
  server.on(event, (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
}

/** HTTPS in front of an http:// simulator. */
export class TlsReverseProxy {
  /** TLS handshakes the client aborted or that failed (e.g. the client refused our certificate). */
  failedHandshakes = 0;
  /** Requests forwarded. */
  requests = 0;
  private server: HttpsServer | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(
    private readonly target: string,
    private readonly certificate: Certificate,
  ) {}

  async start(): Promise<string> {
    const target = new URL(this.target);
    const server = createHttpsServer({ cert: this.certificate.cert, key: this.certificate.key }, (req, res) => {
      this.requests++;
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      res.on("close", () => upstream.destroy());
      req.pipe(upstream);
    });
    server.on("tlsClientError", () => {
      this.failedHandshakes++;
    });
    track(server, this.sockets, "secureConnection");
    track(server, this.sockets, "connection");
    this.port = await listen(server);
    this.server = server;
    return this.url;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    if (this.server) await close(this.server, this.sockets);
    this.server = undefined;
  }
}

export interface ProxyCounts {
  /** `CONNECT host:port` tunnels opened. */
  readonly tunnels: number;
  /** Absolute-URI requests forwarded. */
  readonly requests: number;
  /** Paths of the forwarded requests (tunnels hide theirs). */
  readonly paths: readonly string[];
}

/** An HTTP forward proxy (RFC 9110 absolute-form requests and CONNECT), counting per target `host:port`. */
export class ForwardProxy {
  private readonly counts = new Map<string, { tunnels: number; requests: number; paths: string[] }>();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private entry(target: string) {
    let entry = this.counts.get(target);
    if (!entry) {
      entry = { tunnels: 0, requests: 0, paths: [] };
      this.counts.set(target, entry);
    }
    return entry;
  }

  async start(): Promise<string> {
    const server = createHttpServer((req, res) => {
      let url: URL;
      try {
        url = new URL(req.url ?? "");
      } catch {
        res.writeHead(400).end("absolute URI expected");
        return;
      }
      const entry = this.entry(url.host);
      entry.requests++;
      entry.paths.push(url.pathname);
      const headers = { ...req.headers };
      delete headers["proxy-connection"];
      delete headers["proxy-authorization"];
      const upstream = httpRequest(
        { host: url.hostname, port: url.port || 80, method: req.method, path: `${url.pathname}${url.search}`, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      res.on("close", () => upstream.destroy());
      req.pipe(upstream);
    });
    server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
      const target = req.url ?? "";
      this.entry(target).tunnels++;
      const [host = "", port = "443"] = target.split(":");
      const upstream = connect(Number(port), host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      this.sockets.add(upstream);
      upstream.on("close", () => this.sockets.delete(upstream));
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
      client.on("close", () => upstream.destroy());
    });
    track(server, this.sockets, "connection");
    this.port = await listen(server);
    this.server = server;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What went through the proxy to `hostPort` (`127.0.0.1:1234`). */
  to(hostPort: string): ProxyCounts {
    const entry = this.counts.get(hostPort);
    return { tunnels: entry?.tunnels ?? 0, requests: entry?.requests ?? 0, paths: [...(entry?.paths ?? [])] };
  }

  /** Everything it carried, by target. */
  all(): Record<string, ProxyCounts> {
    return Object.fromEntries([...this.counts.keys()].map((k) => [k, this.to(k)]));
  }

  async stop(): Promise<void> {
    if (this.server) await close(this.server, this.sockets);
    this.server = undefined;
  }
}

/** `host:port` of a URL, as a proxy sees it. */
export function hostPort(url: string): string {
  return new URL(url).host;
}
