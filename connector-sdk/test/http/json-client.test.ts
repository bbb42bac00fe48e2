/** JsonHttpClient over a real loopback server: request shape, answers, classified and scrubbed failures. */
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { JsonHttpClient, type JsonHttpClientOptions } from "../../src/http/json-client.js";
import { HttpTargetError } from "../../src/http/target-error.js";

const SECRET = "s3cret-token-value";
type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handle: Handler;
const outcomes: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => handle(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  outcomes.length = 0;
});

function client(overrides: Partial<JsonHttpClientOptions> = {}): JsonHttpClient {
  return new JsonHttpClient({
    baseUrl,
    authorization: `Bearer ${SECRET}`,
    secrets: [SECRET],
    timeoutMs: 2000,
    agents: { forUrl: () => new Agent({ keepAlive: false }) },
    tls: { verify: true },
    userAgent: "test-agent/1",
    name: "Target",
    onOutcome: (method, outcome) => outcomes.push(`${method} ${outcome}`),
    ...overrides,
  });
}

function answer(status: number, body: string, headers: Record<string, string> = {}): Handler {
  return (_req, _body, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body);
  };
}

async function failure(promise: Promise<unknown>): Promise<HttpTargetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HttpTargetError)) throw new Error(`expected an HttpTargetError, got ${String(error)}`);
  return error;
}

describe("JsonHttpClient", () => {
  it("sends JSON with the auth header, user agent and query, and parses the answer", async () => {
    let seen: { url?: string; method?: string; auth?: string; agent?: string; type?: string; body?: string } = {};
    handle = (req, body, res) => {
      seen = {
        url: req.url,
        method: req.method,
        auth: req.headers.authorization,
        agent: req.headers["user-agent"],
        type: req.headers["content-type"],
        body,
      };
      answer(200, '{"data":{"affected":2}}')(req, body, res);
    };
    const result = await client().request({ method: "DELETE", path: "/items", body: { a: [1] }, query: { q: "x y" } });
    expect(result).toEqual({ data: { affected: 2 } });
    expect(seen).toEqual({
      url: "/api/items?q=x+y",
      method: "DELETE",
      auth: `Bearer ${SECRET}`,
      agent: "test-agent/1",
      type: "application/json",
      body: '{"a":[1]}',
    });
    expect(outcomes).toEqual(["DELETE 200"]);
  });

  it("gives an empty answer as undefined, and refuses a 2xx that is not JSON", async () => {
    handle = answer(204, "");
    expect(await client().request({ method: "GET", path: "/x" })).toBeUndefined();
    handle = answer(200, "<html>sign in</html>");
    const error = await failure(client().request({ method: "GET", path: "/x" }));
    expect(error.kind).toBe("other");
    expect(error.message).toBe("Target GET /x: HTTP 200 with a body that is not JSON");
    expect((await failure(client().requestBytes({ method: "POST", path: "/x" }))).kind).toBe("other");
  });

  it("hands a JSON success over as bytes", async () => {
    handle = answer(200, ' {"data":[{"id":"a"}]}');
    const bytes = await client().requestBytes({ method: "POST", path: "/x", body: [] });
    expect(bytes.toString("utf8")).toBe(' {"data":[{"id":"a"}]}');
  });

  it.each([
    [429, "rate_limited", true, true],
    [503, "unavailable", true, false],
    [408, "timeout", true, false],
    [400, "invalid", false, false],
    [422, "invalid", false, false],
    [401, "auth", false, false],
    [404, "other", false, false],
  ] as const)("classifies HTTP %i as %s", async (status, kind, retryable, notSent) => {
    handle = answer(status, "{}");
    const error = await failure(client().request({ method: "POST", path: "/x" }));
    expect([error.status, error.kind, error.retryable, error.notSent]).toEqual([status, kind, retryable, notSent]);
  });

  it("reads Retry-After and tolerates an HTML 429", async () => {
    handle = answer(429, "<html>Too Many</html>", { "retry-after": "7", "content-type": "text/html" });
    const error = await failure(client().request({ method: "GET", path: "/x" }));
    expect(error.retryAfterMs).toBe(7000);
    expect(error.message).toBe("Target GET /x failed: HTTP 429 Too Many Requests (non-JSON body)");
  });

  it("summarises error entries and masks the secrets in them", async () => {
    handle = answer(
      400,
      JSON.stringify({ errors: [{ code: 4000010, title: "Validation Error", detail: `data: 1: value ${SECRET}` }] }),
    );
    const error = await failure(client().request({ method: "POST", path: "/x" }));
    expect(error.message).toBe("Target POST /x failed: HTTP 400 Validation Error: data: 1: value [REDACTED]");
    expect(error.errors).toEqual([{ code: 4000010, title: "Validation Error", detail: "data: 1: value [REDACTED]" }]);
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });

  it("classifies a refused connection (not sent), a timeout and an abort", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await failure(
      client({ baseUrl: `http://127.0.0.1:${port}` }).request({ method: "GET", path: "/" }),
    );
    expect([refused.kind, refused.code, refused.notSent]).toEqual(["network", "ECONNREFUSED", true]);

    handle = () => {};
    const timedOut = await failure(client({ timeoutMs: 50 }).request({ method: "GET", path: "/hang" }));
    expect([timedOut.kind, timedOut.retryable, timedOut.notSent]).toEqual(["timeout", true, false]);

    const controller = new AbortController();
    const pending = client().request({ method: "GET", path: "/hang", signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await failure(pending)).aborted).toBe(true);
    expect(outcomes).toEqual(["GET network", "GET timeout", "GET aborted"]);
  });
});
