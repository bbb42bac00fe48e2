import { readFileSync } from "node:fs";
import { createServer, Agent as HttpAgent, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer, Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { type AddressInfo, connect } from "node:net";
import { rootCertificates } from "node:tls";
import { fileURLToPath } from "node:url";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { bypassesProxy, createHttpAgents, type ManagedHttpAgents, proxyFor } from "../../src/http/agents.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const CA_FILE = fixture("ca.pem");

describe("proxyFor", () => {
  it.each([
    ["https://api.example.com/x", { HTTPS_PROXY: "http://sp:3128", HTTP_PROXY: "http://p:8080" }, "http://sp:3128"],
    ["http://api.example.com/x", { HTTPS_PROXY: "http://sp:3128", HTTP_PROXY: "http://p:8080" }, "http://p:8080"],
    ["http://api.example.com/x", { HTTPS_PROXY: "http://sp:3128" }, undefined],
    ["https://api.example.com/x", { ALL_PROXY: "http://all:1" }, "http://all:1"],
    ["https://api.example.com/x", { all_proxy: "http://all:1", https_proxy: "http://sp:2" }, "http://sp:2"],
    // lower case first, as proxy-from-env; an empty value does not count
    ["https://api.example.com/x", { https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:2" }, "http://lower:1"],
    ["https://api.example.com/x", { https_proxy: "", HTTPS_PROXY: "http://upper:2" }, "http://upper:2"],
    ["https://api.example.com/x", { HTTPS_PROXY: "  " }, undefined],
    // no scheme: http://, as curl and Python requests
    ["https://api.example.com/x", { HTTPS_PROXY: "proxy.corp:3128" }, "http://proxy.corp:3128"],
    ["https://api.example.com/x", { HTTPS_PROXY: "https://u:p@proxy.corp:443" }, "https://u:p@proxy.corp:443"],
    ["ftp://files.example.com/x", { ALL_PROXY: "http://all:1" }, undefined],
    ["not a url", { ALL_PROXY: "http://all:1" }, undefined],
    ["https://api.example.com/x", {}, undefined],
  ])("%s with %j → %s", (url, env, expected) => {
    expect(proxyFor(url, env)).toBe(expected);
  });

  it("honours NO_PROXY before choosing a proxy, in either case", () => {
    expect(
      proxyFor("https://internal.corp/x", { HTTPS_PROXY: "http://p:1", NO_PROXY: "internal.corp" }),
    ).toBeUndefined();
    expect(
      proxyFor("https://internal.corp/x", { HTTPS_PROXY: "http://p:1", no_proxy: "internal.corp" }),
    ).toBeUndefined();
    expect(proxyFor("https://other.corp/x", { HTTPS_PROXY: "http://p:1", NO_PROXY: "internal.corp" })).toBe(
      "http://p:1",
    );
  });
});

describe("bypassesProxy (NO_PROXY)", () => {
  it.each([
    ["https://anything.example/", "*", true],
    ["https://localhost:8443/", "localhost", true],
    ["https://api.example.com/", "example.com", true],
    ["https://example.com/", "example.com", true],
    ["https://badexample.com/", "example.com", false],
    ["https://api.example.com/", ".example.com", true],
    ["https://example.com/", ".example.com", true],
    ["https://api.example.com/", "*.example.com", true],
    ["https://badexample.com/", "*.example.com", false],
    ["https://API.Example.COM/", "EXAMPLE.com", true],
    ["https://10.0.0.1/", "10.0.0.1:443", true],
    ["https://10.0.0.1:8443/", "10.0.0.1:443", false],
    ["http://10.0.0.1/", "10.0.0.1:80", true],
    ["https://10.1.2.3/", "10.0.0.0/8", true],
    ["https://11.1.2.3/", "10.0.0.0/8", false],
    ["https://192.168.1.77/", "192.168.1.0/24", true],
    ["https://[::1]:9000/", "[::1]:9000", true],
    ["https://[::1]:9000/", "::1", true],
    ["https://[::1]:9000/", "[::1]:9001", false],
    ["https://a.internal/", "foo.com  a.internal", true],
    ["https://a.internal/", "foo.com,,bar.com", false],
    ["https://a.internal/", "", false],
  ])("%s with NO_PROXY=%j → %s", (url, noProxy, expected) => {
    expect(bypassesProxy(new URL(url), noProxy)).toBe(expected);
  });
});

describe("agreement with proxy-from-env", () => {
  // Cases where our rules and proxy-from-env's coincide (it reads process.env, so the env is stubbed).
  const cases: [string, Record<string, string>][] = [
    ["https://a.example.com/", { HTTPS_PROXY: "http://p:1" }],
    ["http://a.example.com/", { HTTPS_PROXY: "http://p:1", HTTP_PROXY: "http://q:2" }],
    ["https://a.example.com/", { ALL_PROXY: "http://all:3" }],
    ["https://a.example.com/", { https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:2" }],
    ["https://a.example.com/", { HTTPS_PROXY: "http://p:1", NO_PROXY: "*" }],
    ["https://a.example.com/", { HTTPS_PROXY: "http://p:1", NO_PROXY: ".example.com" }],
    ["https://a.example.com/", { HTTPS_PROXY: "http://p:1", NO_PROXY: "a.example.com" }],
    ["https://a.example.com/", { HTTPS_PROXY: "http://p:1", NO_PROXY: "b.example.com" }],
    ["https://a.example.com:8443/", { HTTPS_PROXY: "http://p:1", NO_PROXY: "a.example.com:443" }],
    ["https://a.example.com/", { HTTPS_PROXY: "http://p:1", NO_PROXY: "a.example.com:443" }],
    ["http://10.0.0.1/", { HTTP_PROXY: "http://p:1", no_proxy: "10.0.0.1, localhost" }],
  ];
  it.each(cases)("%s with %j", async (url, env) => {
    const { getProxyForUrl } = (await import("proxy-from-env" as string)) as { getProxyForUrl(u: string): string };
    for (const name of ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"]) {
      vi.stubEnv(name, "");
      vi.stubEnv(name.toLowerCase(), "");
    }
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    try {
      expect(proxyFor(url, env)).toBe(getProxyForUrl(url) || undefined);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("createHttpAgents", () => {
  it("gives plain keep-alive agents without a proxy, with the TLS settings on https ones", () => {
    const agents = createHttpAgents({});
    const https = agents.forUrl("https://api.example.com/x", { verify: false });
    expect(https).toBeInstanceOf(HttpsAgent);
    expect((https as HttpsAgent).options).toMatchObject({ keepAlive: true, rejectUnauthorized: false });
    const http = agents.forUrl("http://api.example.com/x", { verify: true });
    expect(http).toBeInstanceOf(HttpAgent);
    expect(http).not.toBeInstanceOf(HttpsAgent);
    expect((http as HttpAgent & { keepAlive: boolean }).keepAlive).toBe(true);
    agents.destroy();
  });

  it("gives proxy agents when a proxy applies, and plain ones for NO_PROXY hosts", () => {
    const agents = createHttpAgents({
      HTTPS_PROXY: "http://proxy:3128",
      HTTP_PROXY: "http://proxy:3128",
      NO_PROXY: "direct.example",
    });
    const viaHttps = agents.forUrl("https://api.example.com/", { verify: true });
    expect(viaHttps).toBeInstanceOf(HttpsProxyAgent);
    expect((viaHttps as HttpsProxyAgent<string>).proxy.href).toBe("http://proxy:3128/");
    expect(agents.forUrl("http://api.example.com/", { verify: true })).toBeInstanceOf(HttpProxyAgent);
    expect(agents.forUrl("https://direct.example/", { verify: true })).toBeInstanceOf(HttpsAgent);
    agents.destroy();
  });

  it("caches one agent per (scheme, proxy, TLS settings)", () => {
    const agents = createHttpAgents({});
    const a = agents.forUrl("https://one.example/", { verify: true });
    expect(agents.forUrl("https://two.example/other", { verify: true })).toBe(a);
    expect(agents.forUrl("https://one.example/", { verify: false })).not.toBe(a);
    expect(agents.forUrl("https://one.example/", { verify: true, caFile: CA_FILE })).not.toBe(a);
    expect(agents.forUrl("http://one.example/", { verify: true })).not.toBe(a);
    // TLS settings do not matter for plain http.
    expect(agents.forUrl("http://one.example/", { verify: false })).toBe(
      agents.forUrl("http://x.example/", { verify: true }),
    );
    agents.destroy();
    expect(agents.forUrl("https://one.example/", { verify: true })).not.toBe(a);
    agents.destroy();
  });

  it("trusts Node's roots plus the CA file", () => {
    const agents = createHttpAgents({});
    const agent = agents.forUrl("https://one.example/", { verify: true, caFile: CA_FILE }) as HttpsAgent;
    const ca = agent.options.ca as string[];
    expect(ca).toEqual(expect.arrayContaining([...rootCertificates]));
    expect(ca).toContain(readFileSync(CA_FILE, "utf8"));
    // Not verifying: no CA needed.
    expect(
      (agents.forUrl("https://one.example/", { verify: false, caFile: CA_FILE }) as HttpsAgent).options.ca,
    ).toBeUndefined();
    agents.destroy();
  });

  it("says so when the CA file cannot be read or the proxy scheme is not supported", () => {
    expect(() =>
      createHttpAgents({}).forUrl("https://x.example/", { verify: true, caFile: "/no/such/ca.pem" }),
    ).toThrow(/Cannot read the CA bundle \/no\/such\/ca\.pem: ENOENT/);
    expect(() =>
      createHttpAgents({ HTTPS_PROXY: "socks5://u:secret@p:1080" }).forUrl("https://x.example/", { verify: true }),
    ).toThrow(/Unsupported proxy scheme "socks5"/);
    try {
      createHttpAgents({ HTTPS_PROXY: "socks5://u:secret@p:1080" }).forUrl("https://x.example/", { verify: true });
    } catch (error) {
      expect((error as Error).message).not.toContain("secret");
    }
  });
});

/** A forward proxy on loopback: absolute-form http requests and CONNECT tunnels, counted. */
function startProxy(): Promise<{ server: Server; url: string; requests: string[]; connects: string[] }> {
  const requests: string[] = [];
  const connects: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const upstream = httpRequest(req.url ?? "", { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, { ...up.headers, "x-via-test-proxy": "1" });
      up.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on("connect", (req: IncomingMessage, socket, head) => {
    connects.push(req.url ?? "");
    const [host = "", port = ""] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, connects }),
    ),
  );
}

function get(
  url: string,
  agent: HttpAgent,
): Promise<{ status: number; body: string; headers: IncomingMessage["headers"] }> {
  const send = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { agent }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("through a real proxy on loopback", () => {
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let httpTarget: Server;
  let httpsTarget: Server;
  let httpUrl: string;
  let httpsUrl: string;
  const created: ManagedHttpAgents[] = [];
  const agentsFor = (env: Record<string, string>) => {
    const agents = createHttpAgents(env);
    created.push(agents);
    return agents;
  };

  beforeAll(async () => {
    proxy = await startProxy();
    httpTarget = createServer((req, res) => res.end(`plain ${req.url}`));
    httpsTarget = createHttpsServer(
      { key: readFileSync(fixture("server.key")), cert: readFileSync(fixture("server.pem")) },
      (req, res) => res.end(`tls ${req.url}`),
    );
    await new Promise<void>((r) => httpTarget.listen(0, "127.0.0.1", r));
    await new Promise<void>((r) => httpsTarget.listen(0, "127.0.0.1", r));
    httpUrl = `http://127.0.0.1:${(httpTarget.address() as AddressInfo).port}`;
    httpsUrl = `https://127.0.0.1:${(httpsTarget.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const agents of created) agents.destroy();
    for (const server of [proxy.server, httpTarget, httpsTarget]) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("sends plain http through the proxy (HttpProxyAgent)", async () => {
    const before = proxy.requests.length;
    const agents = agentsFor({ HTTP_PROXY: proxy.url });
    const response = await get(`${httpUrl}/hello?x=1`, agents.forUrl(httpUrl, { verify: true }));
    expect(response).toMatchObject({ status: 200, body: "plain /hello?x=1" });
    expect(response.headers["x-via-test-proxy"]).toBe("1");
    expect(proxy.requests.slice(before)).toEqual([`GET ${httpUrl}/hello?x=1`]);
  });

  it("tunnels https with CONNECT (HttpsProxyAgent), applying the TLS settings to the target", async () => {
    const before = proxy.connects.length;
    const agents = agentsFor({ HTTPS_PROXY: proxy.url });
    // Our test CA is not trusted by default.
    await expect(get(`${httpsUrl}/a`, agents.forUrl(httpsUrl, { verify: true }))).rejects.toMatchObject({
      code: expect.stringMatching(/CERT|VERIFY|SIGNATURE/),
    });
    expect(await get(`${httpsUrl}/b`, agents.forUrl(httpsUrl, { verify: true, caFile: CA_FILE }))).toMatchObject({
      status: 200,
      body: "tls /b",
    });
    expect(await get(`${httpsUrl}/c`, agents.forUrl(httpsUrl, { verify: false }))).toMatchObject({
      status: 200,
      body: "tls /c",
    });
    const target = httpsUrl.replace("https://", "");
    expect(proxy.connects.slice(before).every((c) => c === target)).toBe(true);
    expect(proxy.connects.length - before).toBeGreaterThanOrEqual(3);
  });

  it("goes direct for NO_PROXY hosts", async () => {
    const requests = proxy.requests.length;
    const connects = proxy.connects.length;
    const agents = agentsFor({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: "127.0.0.1" });
    expect(await get(`${httpUrl}/d`, agents.forUrl(httpUrl, { verify: true }))).toMatchObject({ body: "plain /d" });
    expect(await get(`${httpsUrl}/e`, agents.forUrl(httpsUrl, { verify: true, caFile: CA_FILE }))).toMatchObject({
      body: "tls /e",
    });
    expect(proxy.requests.length).toBe(requests);
    expect(proxy.connects.length).toBe(connects);
  });
});
