/**
 * The SentinelOne client (sentinelone/client.ts) over real loopback sockets: a header-capturing server for the exact
 * request shape, and the SentinelOne simulator (strict by default) for the API's answers.
 */
import { Agent, createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type HttpAgents, HttpTargetError } from "@octi/connector-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_API_TOKEN,
  DEFAULT_GROUP_ID,
  DEFAULT_SITE_ID,
  SentinelOneSimulator,
} from "../../dev/simulator/index.js";
import { SentinelOneClient } from "../../src/sentinelone/client.js";
import { itemIndicesOf } from "../../src/sentinelone/errors.js";
import type { IocPayload, IocScope } from "../../src/sentinelone/types.js";
import { resolveSettings, type SentinelOneSettings } from "../../src/settings.js";
import { probedMetrics } from "../helpers/fakes.js";

const agents: HttpAgents = { forUrl: () => new Agent({ keepAlive: false }) };

function settings(apiUrl: string, overrides: Partial<SentinelOneSettings> = {}): SentinelOneSettings {
  return {
    ...resolveSettings({
      api_url: apiUrl,
      api_key: DEFAULT_API_TOKEN,
      account_id: DEFAULT_ACCOUNT_ID,
      source: "OpenCTI",
      batch_size: 500,
      batch_flush_interval: 250,
      max_pending_iocs: 20000,
      request_timeout: 5,
      retry_max_delay: 300,
      dead_letter_path: "unused.jsonl",
      ssl_verify: true,
      requests_per_minute: 0,
      skip_score_only_updates: false,
      reconcile_interval: 0,
      data_dir: "unused",
    }),
    ...overrides,
  };
}

function client(apiUrl: string, overrides: Partial<SentinelOneSettings> = {}) {
  const { probe, metrics } = probedMetrics();
  return { client: new SentinelOneClient(settings(apiUrl, overrides), agents, metrics), metrics: probe };
}

function ioc(value: string, externalId = "indicator--11111111-1111-4111-8111-111111111111", type = "IPV4"): IocPayload {
  return { type: type as IocPayload["type"], value, method: "EQUALS", source: "OpenCTI", externalId, name: value };
}

async function expectApiError(promise: Promise<unknown>): Promise<HttpTargetError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpTargetError);
    return error as HttpTargetError;
  }
  throw new Error("expected a HttpTargetError");
}

describe("request shape (header-capturing server)", () => {
  let server: Server;
  let url: string;
  const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];
  /** What the next POSTs are answered with (200), instead of the default JSON. */
  let postAnswer: string | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(200, { "content-type": "application/json" });
        if (req.method === "POST" && postAnswer !== undefined) res.end(postAnswer);
        else res.end(req.method === "DELETE" ? '{"data":{"affected":2},"errors":null}' : '{"data":[],"errors":null}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => {
    seen.length = 0;
    postAnswer = undefined;
  });

  it("accepts a create answered 200 with JSON (white space first) or nothing, refuses an HTML page", async () => {
    const c = client(url).client;
    postAnswer = '\r\n  {"data":[{"uuid":"x"}],"errors":null}';
    await c.createIocs([ioc("192.0.2.1")]);
    postAnswer = "";
    await c.createIocs([ioc("192.0.2.1")]);
    postAnswer = "<html><body>Please sign in</body></html>";
    const error = await expectApiError(c.createIocs([ioc("192.0.2.1")]));
    expect(error.message).toMatch(/HTTP 200 with a body that is not JSON/);
    expect(error.retryable).toBe(false);
  });

  it("sends Authorization: ApiToken <key> (config prefix stripped), JSON, and no doubled slash", async () => {
    const resolved = resolveSettings({
      ...rawNs(`${url}//`),
      api_key: "APIToken abc-123",
      account_id: DEFAULT_ACCOUNT_ID,
    });
    const c = new SentinelOneClient(resolved, agents, probedMetrics().metrics);
    await c.createIocs([ioc("192.0.2.1")]);
    const request = seen[0]!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/web/api/v2.1/threat-intelligence/iocs");
    expect(request.headers.authorization).toBe("ApiToken abc-123");
    expect(request.headers["content-type"]).toMatch(/^application\/json/);
    expect(request.headers.accept).toMatch(/application\/json/);
    expect(request.headers["user-agent"]).toMatch(/^octi-connector-sentinelone-intel\//);
    expect(JSON.parse(request.body)).toEqual({
      filter: { accountIds: [DEFAULT_ACCOUNT_ID] },
      data: [ioc("192.0.2.1")],
    });
  });

  it.each([
    ["account", { accountId: "1" }, { accountIds: ["1"] }, { accountIds: ["1"] }],
    ["site", { siteId: "2" }, { siteIds: ["2"] }, { siteIds: ["2"] }],
    ["group", { groupId: "3" }, { groupIds: ["3"] }, {}],
    [
      "account + group",
      { accountId: "1", groupId: "3" },
      { accountIds: ["1"], groupIds: ["3"] },
      { accountIds: ["1"] },
    ],
    ["site + group", { siteId: "2", groupId: "3" }, { siteIds: ["2"], groupIds: ["3"] }, { siteIds: ["2"] }],
  ] as [string, IocScope, Record<string, string[]>, Record<string, string[]>][])(
    "%s scope: POST filter and DELETE filter",
    async (_name, scope, postFilter, deleteScope) => {
      const c = client(url, { scope }).client;
      await c.createIocs([ioc("192.0.2.1")]);
      const affected = await c.deleteByExternalId("indicator--abc");
      expect(affected).toBe(2);
      expect(JSON.parse(seen[0]!.body).filter).toEqual(postFilter);
      expect(seen[1]!.method).toBe("DELETE");
      expect(JSON.parse(seen[1]!.body)).toEqual({
        filter: { externalId: "indicator--abc", source: ["OpenCTI"], ...deleteScope },
      });
    },
  );
});

function rawNs(url: string) {
  return {
    api_url: url,
    api_key: "k",
    source: "OpenCTI",
    batch_size: 1,
    batch_flush_interval: 1,
    max_pending_iocs: 1,
    request_timeout: 1,
    retry_max_delay: 1,
    dead_letter_path: "x",
    ssl_verify: true,
    requests_per_minute: 0,
    skip_score_only_updates: false,
    reconcile_interval: 0,
    data_dir: "x",
  };
}

describe("against the SentinelOne simulator", () => {
  let sim: SentinelOneSimulator;
  let url: string;

  beforeAll(async () => {
    sim = new SentinelOneSimulator();
    url = await sim.start();
  });
  afterAll(() => sim.stop());
  afterEach(() => {
    sim.reset();
    sim.setRateLimit(null);
  });

  it("creates IOCs in the configured scope (the echoed records are not read)", async () => {
    const { client: c, metrics } = client(url);
    await c.createIocs([ioc("192.0.2.1"), ioc("example.com", undefined, "DNS")]);
    const { data: records } = await c.listIocs({ externalId: "indicator--11111111-1111-4111-8111-111111111111" });
    expect(records.map((r) => [r.type, r.value, r.scope, r.scopeId]).sort()).toEqual([
      ["DNS", "example.com", "account", DEFAULT_ACCOUNT_ID],
      ["IPV4", "192.0.2.1", "account", DEFAULT_ACCOUNT_ID],
    ]);
    expect(records[0]?.uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(sim.iocCount()).toBe(2);
    expect(await metrics.value("sentinelone_requests_total", { method: "POST", status: "200" })).toBe(1);
  });

  it("parses a 400: kind invalid, status, the item indices its details name", async () => {
    const { client: c } = client(url);
    const error = await expectApiError(
      c.createIocs([
        ioc("192.0.2.1"),
        ioc("not-an-ip"),
        ioc("192.0.2.3"),
        ioc("d41d8cd98f00b204e9800998ecf8427e", undefined, "MD5"),
      ]),
    );
    expect(error.kind).toBe("invalid");
    expect(error.status).toBe(400);
    expect(itemIndicesOf(error.errors)).toEqual([1, 3]);
    expect(error.errors.length).toBeGreaterThanOrEqual(2);
    expect(error.message).toMatch(/HTTP 400 .*data: 1:/);
    expect(error.message).not.toContain(DEFAULT_API_TOKEN);
    expect(sim.iocCount()).toBe(0);
  });

  it.each([
    ["seconds", "html"],
    ["http-date", "json"],
  ] as const)("parses 429 with Retry-After as %s (%s body)", async (retryAfter, body) => {
    sim.setRateLimit({ requestsPerMinute: 1, burst: 1, retryAfter, body });
    const { client: c, metrics } = client(url);
    await c.createIocs([ioc("192.0.2.1")]);
    const error = await expectApiError(c.createIocs([ioc("192.0.2.2")]));
    expect(error.kind).toBe("rate_limited");
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(61_000);
    expect(error.message).toContain("HTTP 429");
    expect(await metrics.value("sentinelone_requests_total", { method: "POST", status: "429" })).toBe(1);
  });

  it("tolerates nginx's HTML 429 without Retry-After", async () => {
    sim.setRateLimit({ requestsPerMinute: 1, burst: 1, retryAfter: "none", body: "html" });
    const { client: c } = client(url);
    await c.createIocs([ioc("192.0.2.1")]);
    const error = await expectApiError(c.createIocs([ioc("192.0.2.2")]));
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toContain("non-JSON body");
  });

  it.each([
    [503, "unavailable"],
    [500, "unavailable"],
    [502, "unavailable"],
    [404, "other"],
    [413, "invalid"],
  ] as const)("maps HTTP %i to kind %s", async (status, kind) => {
    sim.failNext(1, status);
    const error = await expectApiError(client(url).client.createIocs([ioc("192.0.2.1")]));
    expect(error.status).toBe(status);
    expect(error.kind).toBe(kind);
  });

  it("maps 401 (unknown key) to kind auth, without the key in the message", async () => {
    const error = await expectApiError(
      client(url, { apiKey: "secret-wrong-key-123" }).client.createIocs([ioc("192.0.2.1")]),
    );
    expect(error.kind).toBe("auth");
    expect(error.status).toBe(401);
    expect(error.message).not.toContain("secret-wrong-key-123");
    expect(JSON.stringify(error)).not.toContain("secret-wrong-key-123");
  });

  it("times out on an unanswered request", async () => {
    sim.hangNext(1);
    const error = await expectApiError(client(url, { requestTimeoutMs: 100 }).client.createIocs([ioc("192.0.2.1")]));
    expect(error.kind).toBe("timeout");
  });

  it("reports a refused connection as a network error", async () => {
    const closed = new SentinelOneSimulator();
    const closedUrl = await closed.start();
    await closed.stop();
    const error = await expectApiError(client(closedUrl).client.createIocs([ioc("192.0.2.1")]));
    expect(error.kind).toBe("network");
    expect(error.code).toBe("ECONNREFUSED");
  });

  it("marks a request cancelled through its signal as aborted", async () => {
    sim.hangNext(1);
    const controller = new AbortController();
    const pending = client(url).client.createIocs([ioc("192.0.2.1")], controller.signal);
    setTimeout(() => controller.abort(), 20);
    const error = await expectApiError(pending);
    expect(error.aborted).toBe(true);
  });

  it.each([
    ["account", { accountId: DEFAULT_ACCOUNT_ID }],
    ["site", { siteId: DEFAULT_SITE_ID }],
    ["group", { groupId: DEFAULT_GROUP_ID }],
    ["site + group", { siteId: DEFAULT_SITE_ID, groupId: DEFAULT_GROUP_ID }],
  ] as [string, IocScope][])(
    "%s scope: the strict simulator accepts the delete filter, which matches only our source's IOCs",
    async (_name, scope) => {
      const ours = client(url, { scope }).client;
      const theirs = client(url, { scope, source: "SomeoneElse" }).client;
      const target = "indicator--22222222-2222-4222-8222-222222222222";
      const other = "indicator--33333333-3333-4333-8333-333333333333";
      await ours.createIocs([ioc("192.0.2.1", target), ioc("192.0.2.2", target), ioc("192.0.2.3", other)]);
      await theirs.createIocs([{ ...ioc("192.0.2.9", target), source: "SomeoneElse" }]);
      expect(sim.iocCount()).toBe(4);
      expect(await ours.deleteByExternalId(target)).toBe(2);
      expect(sim.iocs().map((r) => [r.value, r.source])).toEqual([
        ["192.0.2.3", "OpenCTI"],
        ["192.0.2.9", "SomeoneElse"],
      ]);
      expect(await ours.deleteByExternalId(target)).toBe(0);
    },
  );

  it("lists IOCs page by page with the cursor", async () => {
    const c = client(url).client;
    const target = "indicator--44444444-4444-4444-8444-444444444444";
    await c.createIocs([1, 2, 3, 4, 5].map((i) => ioc(`192.0.2.${i}`, target)));
    await c.createIocs([ioc("198.51.100.1")]);
    const page = await c.listIocs({ externalId: target, limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.totalItems).toBe(5);
    expect(page.nextCursor).not.toBeNull();
    const all = page.data.map((record) => String(record.value));
    for (let cursor = page.nextCursor; cursor !== null; ) {
      const next = await c.listIocs({ externalId: target, limit: 2, cursor });
      all.push(...next.data.map((record) => String(record.value)));
      cursor = next.nextCursor;
    }
    expect(all).toEqual(["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"]);
  });
});
